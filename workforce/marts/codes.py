"""Compact integer keys for building the marts.

Sorting and grouping millions of rows by text is what makes a national build slow; by small
integers it is cheap. A text column becomes a code into its dictionary (its distinct values in
sorted order), so codes sort as the text does and turn back into text by one gather.
``person_key`` becomes a 64-bit integer read from its first 16 hex characters: it sorts as the
text does, and when two different keys would share it (possible only for keys longer than 16
characters, or keys that are not lowercase hex) the dense rank of the text is used instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

PERSON_HEAD_CHARS = 16
"""Hex characters of ``person_key`` that fit in 64 bits."""


@dataclass(frozen=True)
class Dictionary:
    """The distinct values of a text column in sorted order; a code is a position in it."""

    values: pl.Series

    @classmethod
    def of(cls, *columns: pl.Series) -> Dictionary:
        """The dictionary of every value in ``columns`` (nulls left out)."""
        values = pl.concat([column.cast(pl.String) for column in columns]).drop_nulls()
        return cls(values.unique().sort().rename("value"))

    def encode(self, column: pl.Series) -> pl.Series:
        """Codes (``UInt32``) of ``column``'s values; null, or a value not in it, gives null."""
        if self.values.is_empty():
            return pl.Series(column.name, [None] * column.len(), dtype=pl.UInt32)
        enum = pl.Enum(self.values)
        return column.cast(enum, strict=False).to_physical().cast(pl.UInt32).rename(column.name)

    def decode(self, codes: pl.Series) -> pl.Series:
        """The text of ``codes``; null stays null."""
        return self.values.gather(codes).rename(codes.name)

    def code_of(self, value: str) -> int | None:
        """The code of one value, or None when the column never holds it."""
        position = self.values.search_sorted(value)
        if position < self.values.len() and self.values[position] == value:
            return int(position)
        return None

    def __len__(self) -> int:
        return self.values.len()


def person_codes(keys: pl.Series) -> pl.Series:
    """One ``UInt64`` per ``person_key``: equal for equal keys, ordered as the keys are.

    Lowercase hex keys of 16 characters are read as a number (exact); otherwise the number of
    the first 16 characters is kept when no two distinct keys share it, and the dense rank of
    the text is used when some do.
    """
    if keys.is_empty():
        return pl.Series(keys.name, [], dtype=pl.UInt64)
    lengths = keys.str.len_bytes()
    if lengths.min() >= PERSON_HEAD_CHARS and keys.str.contains("^[0-9a-f]+$").all():  # type: ignore[operator]
        head = keys.str.slice(0, PERSON_HEAD_CHARS).str.to_integer(base=16, dtype=pl.UInt64)
        if lengths.max() == PERSON_HEAD_CHARS or head.n_unique() == keys.n_unique():
            return head.rename(keys.name)
    return keys.rank("dense").cast(pl.UInt64).rename(keys.name)


def sort_order(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Series:
    """Row positions that sort ``frame`` by ``columns`` (nulls last; equal rows keep their order).

    The integer or date columns are packed into as few 64-bit words as their ranges allow (a
    person key takes a word of its own, codes and dates share one) and the words are sorted:
    much cheaper than sorting the columns as they are.
    """
    words: list[npt.NDArray[np.uint64]] = []
    used = 64
    for name in columns:
        values = frame[name].to_physical()
        if values.null_count() == values.len():
            continue
        low, high = int(values.min()), int(values.max())  # type: ignore[arg-type]
        span = high - low + 1  # a null takes the value ``span``: after every other value
        bits = span.bit_length()
        if bits > 64:
            if values.null_count():
                return frame.select(
                    pl.arg_sort_by(columns, nulls_last=True, maintain_order=True)
                ).to_series()
            bits, span, low = 64, 0, 0  # a full 64-bit column without nulls: as it is
        unsigned = values.dtype.is_unsigned_integer()
        offset = values - low if unsigned else values.cast(pl.Int64) - low
        packed = offset.fill_null(span).cast(pl.UInt64).to_numpy()
        if used + bits > 64:
            words.append(packed)
            used = bits
        else:
            words[-1] = (words[-1] << np.uint64(bits)) | packed
            used += bits
    if len(words) <= 1:
        key = words[0] if words else np.zeros(frame.height, dtype=np.uint64)
        return pl.Series("row", np.argsort(key, kind="stable"), dtype=pl.UInt32)
    keys = pl.DataFrame({f"word_{index}": word for index, word in enumerate(words)})
    return keys.select(pl.arg_sort_by(keys.columns, maintain_order=True)).to_series()
