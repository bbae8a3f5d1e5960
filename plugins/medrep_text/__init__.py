"""medrep's built-in text track: corpus readers, tokenizers, embedders and explorers."""
