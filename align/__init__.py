"""diptych.align: split, embed and align two editions of a text. Knows nothing of storage."""

from align.errors import AlignError, EncoderError, InputError
from align.types import Alignment, Bead, Sentence

__all__ = ["AlignError", "Alignment", "Bead", "EncoderError", "InputError", "Sentence"]
