"""Bytes -> str for Chinese text files whose encoding nobody wrote down (used by ingest)."""

from __future__ import annotations

import codecs
import re
import unicodedata

from index.errors import UnreadableFileError

# About 780 frequent hanzi, Simplified and Traditional forms. Correct text is mostly made of
# them, while Big5 bytes read as GB18030 (or the reverse) land on them only by chance.
_COMMON_HANZI = frozenset(
    "一万三上下不与专且世业东两並个中为主么义之乎九也乡书了争事二于五亚些亞交产享亲人什仅今从他代令以们件价任企伍众会传"
    "似但位住体何作你使來供便保信個們候做健備傳僅像價儿元先光克兒党入內全兩八公六共关兵其具内再写军农决况准几出击分切划"
    "列则创別利别到制則前創劃力办功加务动势動務勢包化北区医區十升半华协協单南即却卻厅历原去县参參又及反发取受变口古另只"
    "叫可台史号司吃各合同名后向吗吧听告员呢周命和品响員商問善喫單嗎器四回因团围国图國圍圖團土在地场坚型城域基堅報場增士"
    "声处备复外多大天太夫失头女她好如始委子字存学學它安完官定实家容實寫对导将將專對導小少尔就尽局层居展層山工己已市布师"
    "希带師帶常干平年并幹幾广应府度廣廳建开式引张張強强当形影往很後得從復德心必志快念怎思性总息情想意愛感愿應成我或战戰"
    "戶户房所手才打找技把投报拉持指据探接控推提擊據支收改放政效教敢数整數文断斯新斷方於施无日早时明易是显時更書曾最會月"
    "有服望期未本术机权李村条来東极构林果某查标样根格案條業極構標模樣機權次正此步武歷死每比民气氣水求決沒没治況法注活流"
    "济海消深清準满滿濟火点為無焦然照爭爱爲爾片物特王现現理生產用由电界當疫病發白百的监盡監目直相省看真眼眾着督知石研确"
    "確示社神离种科称程種稱究空突立章笑第等算管節範类精系約紅級索組結給統經維網線縣總繞纔红约级线组经结绕给统维网罗羅美"
    "羣群義老考者而职联聚聯聲職聽能自至臺與色节花英范華萬落著處號虽融衆行術街表被装裏裝裡西要見規視親覺觀见观规视觉解言"
    "計記設許話該認語說説調談請論證識議變讓计认让议记许论设证识话该语说请调谈象責費資質责质费资走起越路身車軍較輕轉车转"
    "轻较辦農边达过运近还这进远连述选這通造連進運過道達遠選還邊那部都鄉醫里重量金鋒鎮锋镇長长門開間關门问间队防阵阿际院"
    "陣除隊随際隨难集雖離難電需青非面革響須領頭題願類顯须领题風风飛飞首馬马體高麼黑點黨齣"
)
_CJK_PUNCTUATION = frozenset("，。、；：？！“”‘’「」『』（）《》〈〉【】—…·　％＋－＝／～")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# cp950 is Big5 as Windows writes it (a superset of plain Big5); GB18030 covers GBK and GB2312.
_CANDIDATES = ("gb18030", "cp950")  # after strict UTF-8 fails; GB18030 wins ties (mainland corpus)
SAMPLE_BYTES = 64 * 1024  # plenty of hanzi to judge by; big files are judged on their start
MAX_BAD_SHARE = 0.02  # e.g. 4 broken bytes in a 200-character scrap are replaced, not fatal
BINARY_SHARE = 0.05
# Control characters other than \t \n \v \f \r and \x1a (the end-of-file mark of old DOS text).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes (UTF-8/16/32, GB18030, Big5) for ingest; raises UnreadableFileError."""
    if not data.strip():
        raise UnreadableFileError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return _checked(data.decode(utf16, errors="replace"))
    if data.count(0) > len(data) * 0.01:
        raise UnreadableFileError("binary file, not text")
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    sample = data[:SAMPLE_BYTES]
    # UTF-8 stays a candidate here: a UTF-8 scrap with a few broken bytes is still UTF-8.
    encoding = max(
        ("utf-8", *_CANDIDATES), key=lambda name: _plausibility(sample.decode(name, errors="replace"))
    )
    return _checked(data.decode(encoding, errors="replace"))


def _checked(text: str) -> str:
    if len(_CONTROLS.findall(text)) > len(text) * BINARY_SHARE:
        raise UnreadableFileError("binary file, not text")
    if text.count("\ufffd") > max(1, len(text) * MAX_BAD_SHARE):
        raise UnreadableFileError("not valid UTF-8, GB18030 or Big5 text")
    return text


def decode_declared(data: bytes, charset: str) -> str:
    """Decode with a charset a file declares (HTML meta), falling back to detection when it lies."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    # Saved pages are often re-encoded to UTF-8 but keep their old "gb2312" label; non-ASCII
    # GBK text practically never happens to be valid UTF-8, so valid UTF-8 outranks the label.
    for encoding in ("utf-8", charset):
        try:
            return data.decode(_canonical_charset(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    return decode_text(data)


def _canonical_charset(charset: str) -> str:
    # Pages labelled gb2312/gbk routinely contain characters only GB18030 has; same for big5/cp950.
    name = codecs.lookup(charset.strip().strip("\"'")).name
    return {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950"}.get(name, name)


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for BOM-less UTF-16 of mostly ASCII text, judged by where NULs sit."""
    if len(data) < 4 or len(data) % 2:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd > len(data) / 4 and even == 0:
        return "utf-16-le"
    if even > len(data) / 4 and odd == 0:
        return "utf-16-be"
    return None


def _plausibility(text: str) -> float:
    """Share of frequent characters minus a heavy penalty for impossible ones; higher reads better."""
    visible = [c for c in text if not c.isspace()]
    bad = sum(1 for c in visible if _is_bad(c))
    common = sum(1 for c in visible if c.isascii() or c in _COMMON_HANZI or c in _CJK_PUNCTUATION)
    return (common - 4 * bad) / max(len(visible), 1)


def _is_bad(char: str) -> bool:
    # Replacement, private-use, unassigned and control characters: what mis-decoding produces.
    return char == "\ufffd" or unicodedata.category(char) in {"Co", "Cn", "Cc"}
