"""``medrep words``: the biomedical word-representation commands.

Each command lives in its own module, which adds itself to :data:`words` when imported
below; heavy libraries are imported inside the command functions.
"""

import click


@click.group("words")
def words() -> None:
    """Biomedical word representations: corpus, tokenize, embed, explore."""


from medrep_text.cli import _explore, _ngram  # noqa: E402,F401
from medrep_text.cli import _run  # noqa: E402,F401
from medrep_text.cli import _corpus, _tokenize  # noqa: E402,F401
from medrep_text.cli import _embed  # noqa: E402,F401
