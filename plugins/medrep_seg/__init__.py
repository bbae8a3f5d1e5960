"""medrep's built-in segmentation track: brain MRI segmentation on nnU-Net v2."""
