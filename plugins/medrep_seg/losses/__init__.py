"""Built-in losses of the segmentation track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "dice-ce": "medrep_seg.losses.dice_ce:DiceCELoss",
    "dice": "medrep_seg.losses.dice:DiceLoss",
    "ce": "medrep_seg.losses.ce:CrossEntropyLoss",
}
