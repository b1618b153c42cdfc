def in_list(column: str, values) -> str:
    """SQL for a CHECK constraint that keeps a code column inside its vocabulary."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"
