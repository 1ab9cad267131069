"""Tables, files, plots and the self-contained HTML report."""
