"""Built-in networks of the segmentation track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "plain-unet": "medrep_seg.networks.plain_unet:PlainUNet",
}
