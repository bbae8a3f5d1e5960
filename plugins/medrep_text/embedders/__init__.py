"""Built-in embedders of the text track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {}
