"""Built-in augmentations of the segmentation track."""

#: Registered name -> "module:Class"; imported only when the plugin is built.
BUILTINS: dict[str, str] = {
    "rotation": "medrep_seg.augmentations.rotation:Rotation",
    "scaling": "medrep_seg.augmentations.scaling:Scaling",
    "elastic": "medrep_seg.augmentations.elastic:ElasticDeformation",
    "gaussian-noise": "medrep_seg.augmentations.gaussian_noise:GaussianNoise",
    "gaussian-blur": "medrep_seg.augmentations.gaussian_blur:GaussianBlur",
    "brightness": "medrep_seg.augmentations.brightness:Brightness",
    "contrast": "medrep_seg.augmentations.contrast:Contrast",
    "low-resolution": "medrep_seg.augmentations.low_resolution:LowResolution",
    "gamma": "medrep_seg.augmentations.gamma:Gamma",
    "mirror": "medrep_seg.augmentations.mirror:Mirror",
}
