"""DfE validation rules, one module per code group (``rules_100.py`` holds 100-199, …)."""
