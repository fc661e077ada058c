"""Regenerates the binary fixtures in this folder; run with the project's Python from anywhere."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
PDF_PAGES = ("南山区成立先锋学院", "推动党员骨干参与社区治理。")


def chinese_pdf(pages: tuple[str, ...]) -> bytes:
    """A PDF whose text layer is Chinese: Identity-H Type0 font plus a ToUnicode CMap, no glyphs.

    Viewers draw boxes (no font is embedded), but text extraction only needs CID -> Unicode.
    """
    alphabet = sorted(set("".join(pages)))
    cid = {char: index + 1 for index, char in enumerate(alphabet)}
    page_ids = [7 + 2 * n for n in range(len(pages))]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids)
        + b"] /Count %d >>" % len(pages),
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        4: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 >>",
        5: b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        6: _stream(_to_unicode_cmap(cid)),
    }
    for page_id, text in zip(page_ids, pages):
        glyphs = "".join(f"{cid[char]:04X}" for char in text).encode("ascii")
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = _stream(b"BT /F1 12 Tf 72 760 Td <" + glyphs + b"> Tj ET")
    return _assemble(objects)


def _to_unicode_cmap(cid: dict[str, int]) -> bytes:
    mappings = "\n".join(f"<{code:04X}> <{ord(char):04X}>" for char, code in cid.items())
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(cid)} beginbfchar\n{mappings}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode("ascii")


def _stream(content: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


def _assemble(objects: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


if __name__ == "__main__":
    (HERE / "chinese_text_layer.pdf").write_bytes(chinese_pdf(PDF_PAGES))
    (HERE / "no_text_layer.pdf").write_bytes(chinese_pdf(("",)))  # stands in for a scan
