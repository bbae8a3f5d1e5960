"""Built-in preprocessors of the segmentation track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "crop": "medrep_seg.preprocessors.crop:Crop",
    "zscore": "medrep_seg.preprocessors.zscore:ZScore",
    "resample": "medrep_seg.preprocessors.resample:Resample",
}
