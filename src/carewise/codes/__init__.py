"""Code lists and rule lists as data files, versioned by collection year."""
