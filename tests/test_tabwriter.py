"""Go's text/tabwriter as kubectl configures it: widths worked out by hand from its rules."""

from k8skit.kubectl.printers.tabwriter import TabWriter, format_cells


def test_column_is_longest_cell_plus_three_padding():
    text = format_cells("NAME\tAGE\nnginx-1234\t5s\n")
    # "nginx-1234" is 10 wide: the column is 13; the last cell is never padded.
    assert text == "NAME         AGE\nnginx-1234   5s\n"


def test_short_columns_are_at_least_six_wide():
    # Longest cell "ab" + 3 = 5 < minwidth 6.
    assert format_cells("ab\tx\nc\ty\n") == "ab    x\nc     y\n"


def test_header_shorter_than_its_cells_and_cells_of_exactly_three():
    # "abc" + 3 = 6 = minwidth; header "A" is padded to the same 6.
    assert format_cells("A\tB\nabc\tz\n") == "A     B\nabc   z\n"


def test_cell_of_exactly_minwidth_gets_full_padding():
    # A 6-character cell still gets 3 spaces: the column is 9 wide.
    assert format_cells("READY\tX\nabcdef\ty\n") == "READY    X\nabcdef   y\n"


def test_a_line_without_tabs_ends_the_column_block():
    text = format_cells("a\tb\nlonger-cell\tc\nplain line\nx\ty\n")
    # "longer-cell" is 11 wide, so the first block's column is 14; the block after the plain
    # line is measured again from scratch (6).
    assert text.splitlines() == ["a" + " " * 13 + "b", "longer-cell   c", "plain line",
                                 "x     y"]


def test_empty_cells_are_padded_like_any_other():
    # Both columns are 6 wide; the empty cell becomes six spaces.
    assert format_cells("a\t\tc\nbb\tdd\te\n") == "a" + " " * 11 + "c\nbb    dd    e\n"


def test_describe_settings_and_flush_start_new_blocks():
    writer = TabWriter(minwidth=0, tabwidth=8, padding=2)
    writer.write("Name:\tweb\nNamespace:\tdefault\n")
    writer.flush()
    writer.write("  Type\tReason\n  ----\t------\n")
    assert writer.flush() == ("Name:       web\nNamespace:  default\n"
                              "  Type  Reason\n  ----  ------\n")
