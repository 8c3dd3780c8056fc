"""Meeting formats: the script a chair reads from, versioned and printable."""
