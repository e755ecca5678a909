"""Packs: arrays and byte strings written as one file and read back as views of its mapping."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.pack import Pack, write_pack

DTYPES = st.sampled_from([np.uint8, np.uint16, np.uint32, np.int64, np.uint64])


@settings(max_examples=80, deadline=None)
@given(DTYPES, st.lists(st.integers(0, 255), max_size=40), st.lists(st.integers(0, 40), max_size=4),
       st.binary(max_size=50))
def test_an_array_given_in_pieces_is_stored_as_their_concatenation(tmp_path_factory, dtype, values, cuts, blob):
    directory = tmp_path_factory.mktemp("pack")
    whole = np.array(values, dtype=dtype)
    bounds = sorted({0, len(whole), *[min(c, len(whole)) for c in cuts]})
    pieces = [whole[a:b] for a, b in zip(bounds[:-1], bounds[1:])] or [whole]
    split_blob = [memoryview(blob)[:len(blob) // 2], blob[len(blob) // 2:]]
    one = write_pack(directory / "one.pack", {"values": whole, "grid": whole.reshape(-1, 1)}, {"blob": blob})
    many = write_pack(directory / "many.pack", {"values": pieces, "grid": [p.reshape(-1, 1) for p in pieces]},
                      {"blob": split_blob})
    assert one == many
    assert (directory / "one.pack").read_bytes() == (directory / "many.pack").read_bytes()
    pack = Pack(directory / "many.pack")
    assert pack.array("values").dtype == whole.dtype and pack.array("values").tolist() == values
    assert pack.array("grid").shape == (len(values), 1)
    assert bytes(pack.blob("blob")) == blob


def test_pieces_of_different_dtypes_or_shapes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="one dtype"):
        write_pack(tmp_path / "a.pack", {"x": [np.zeros(2, np.uint16), np.zeros(2, np.uint32)]}, {})
    with pytest.raises(ValueError, match="one dtype"):
        write_pack(tmp_path / "b.pack", {"x": [np.zeros((2, 3), np.uint8), np.zeros((2, 4), np.uint8)]}, {})
    with pytest.raises(ValueError, match="not a plain number"):
        write_pack(tmp_path / "c.pack", {"x": np.array(["a"])}, {})
    assert not list(tmp_path.iterdir())


def test_released_pages_read_back_the_same(tmp_path):
    values = np.arange(1 << 20, dtype=np.uint32)  # 4 MB: whole pages to let go of
    write_pack(tmp_path / "a.pack", {"values": values}, {"blob": b"x" * 10_000})
    pack = Pack(tmp_path / "a.pack")
    assert pack.array("values").sum() == values.sum()
    pack.release(0, pack.size)
    pack.release(pack.start("values") + 5, pack.start("values") + 100)  # within one page: nothing to drop
    assert np.array_equal(pack.array("values"), values) and bytes(pack.blob("blob")) == b"x" * 10_000
