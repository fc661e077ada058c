"""Recognises scraped-site chrome (nav, share, credits, copyright, download-site text) for clean.py."""

from __future__ import annotations

import re

from index.text.chinese import HAN_BASIC, PAGE_COUNTER_LINE, SENTENCE_END

# Patterns run on the folded (NFKC, Simplified, lowercase) line, so 責編 and 责编 both match.

# Breadcrumbs and site paths: "首页 > 调查研究 > 正文", "中国共产党新闻网>>党建", "a | b | c".
_NAV_SEPARATOR = re.compile(r"\s*(?:>>|>|»|›|→)\s*")
_BAR_SEPARATOR = re.compile(r"\s*[|｜]\s*")

# A credit line opens with a role and a colon or slash: "责编/魏飞", "[责任编辑:王克]", "记者:施安南".
_CREDIT = re.compile(
    r"^[(\[【〔<]?\s*(?:本刊|本报|本网)?(?:责任编辑|责编|编辑|主编|编审|美编|审核|审校|校对|终审|初审|复审"
    r"|记者|通讯员|摄影|摄像|图片|视频|撰稿|供稿|整理|作者|文|图|文/图|图/文|出品|监制|制作|策划|统筹"
    r"|实习生|来源|稿源|调研组成员|课题组成员)\s*[:/]"
)
# A whole line that is only a byline in brackets: "(本刊记者 刘艳梅)", "(作者系中共…部长)".
_BYLINE = re.compile(r"^[(\[【]\s*(?:本刊|本报|本网)?(?:特约)?(?:记者|通讯员|作者系|作者单位|作者为)[^()\[\]【】]{0,60}[)\]】]$")

# Words that alone (with separators) make a line of page chrome.
_CHROME_WORDS = (
    "网站首页", "网站地图", "首页", "正文", "分享到", "分享", "收藏", "点赞", "评论", "打印", "关闭窗口", "关闭",
    "返回顶部", "返回", "下载", "相关", "举报", "字号", "大", "中", "小", "上一篇", "下一篇", "资源描述",
    "展开阅读全文", "阅读全文", "相关资源", "相关搜索", "相关专题", "相关阅读", "相关新闻", "相关文章",
    "点击查看更多", "查看更多", "左右滑动", "期刊选粹", "论文部分内容阅读", "推荐阅读", "热门推荐",
    "扫码阅读", "手机阅读", "手机版", "电脑版", "微信", "微博", "qq空间", "我要纠错", "纠错", "【", "】",
    "阅读", "更多", "专题", "频道", "栏目", "来源", "责编",
)
_CHROME_STRIP = re.compile(
    "|".join(sorted((re.escape(w) for w in _CHROME_WORDS), key=len, reverse=True))
    + r"|[\s·•|｜>»›<«‹\-—_/\\:,、。.()\[\]【】<>=+*#@!?]"
)

# Lines that carry these are chrome even when long, once two of them co-occur.
_STRONG_KEYWORDS = (
    "版权所有", "版权", "转载", "侵权", "侵犯", "免责声明", "©", "copyright", "all rights reserved", "icp",
    "备案号", "公网安备", "客服", "本站", "本网站", "用户上传", "上传人", "文档编号", "上传时间", "页数",
    "由会员分享", "可在线阅读", "珍藏版", "原创内容", "获得授权", "追究法律责任", "联系我们", "广告服务",
)
# One of these is enough at the start of a line: "声明:本文为…原创", "版权声明…".
_STATEMENT = re.compile(r"^[(\[【]?\s*(?:声明|版权声明|免责声明|特别声明|郑重声明|版权所有|来源声明|转载声明)")
_ICP = re.compile(r"icp[备证]|公网安备|备案号")
_QR = re.compile(r"扫一扫|扫码|二维码|长按识别|长按二维码|识别二维码|关注公众号|关注我们|官微|微信公众号")
_DOWNLOAD = re.compile(
    r"\.(?:docx?|pdf|pptx?|xlsx?|txt|wps)(?:_第\d+页)?\s*$|上传人|文档编号|由会员分享|在线阅读|"
    r"点击查看更多|展开阅读全文|当前位置\s*:|文档c\s*to\s*c|c2c"
)
_SPAM = re.compile(
    r"国产|在线观看|欧美|激情|色播|免费视频|久久|成人|日日|夜夜|av|三级|无码|高清|www\.|\.com|精品|"
    r"彩票|博彩|娱乐城|真人|棋牌|综合网|人妻|偷拍|视频在线"
)
_SHORT_LINE_CHARS = 40


def is_folded_furniture(folded: str) -> bool:
    """True when an already folded line is site chrome rather than report text; for clean.is_furniture."""
    folded = folded.strip()
    return not folded or any(rule(folded) for rule in _RULES)


def _is_navigation(folded: str) -> bool:
    # A breadcrumb has short segments and no sentence punctuation.
    if SENTENCE_END.search(folded) or len(folded) > 80:
        return False
    for separator, longest in ((_NAV_SEPARATOR, 16), (_BAR_SEPARATOR, 8)):
        parts = [p for p in separator.split(folded) if p]
        if len(parts) >= 2 and max(len(p) for p in parts) <= longest:
            return True
    return False


def _is_chrome_words(folded: str) -> bool:
    # "分享", "· 期刊选粹", "返回 下载 相关 举报": nothing left once chrome words are removed.
    return len(folded) <= _SHORT_LINE_CHARS and not _CHROME_STRIP.sub("", folded)


def _is_credit(folded: str) -> bool:
    return len(folded) <= 80 and bool(_CREDIT.match(folded) or _BYLINE.match(folded))


def _is_statement(folded: str) -> bool:
    if _STATEMENT.match(folded) or _ICP.search(folded):
        return True
    return sum(1 for word in _STRONG_KEYWORDS if word in folded) >= 2


def _is_qr_prompt(folded: str) -> bool:
    return len(folded) <= 60 and bool(_QR.search(folded))


def _is_download_chrome(folded: str) -> bool:
    return len(folded) <= 300 and bool(_DOWNLOAD.search(folded))


def _is_spam(folded: str) -> bool:
    # Keyword-stuffed lines: several spam words, or mostly spam words between commas.
    hits = _SPAM.findall(folded)
    return len(hits) >= 3 or (len(hits) >= 2 and not SENTENCE_END.search(folded))


def _is_date_line(folded: str) -> bool:
    # "2022年01月25日14:57 来源:四川党的建设": a dateline is metadata, not report text.
    return len(folded) <= 60 and bool(_DATELINE.match(folded))


_DATELINE = re.compile(
    r"^(?:(?:发布|发表|更新|时间|日期|发布时间|发布日期)\s*[:]\s*)?\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?(?:\s|$|来源|作者|编辑|浏览|点击|字号)"
)

def _is_page_counter(folded: str) -> bool:
    return bool(PAGE_COUNTER_LINE.match(folded))


# A photo caption or speaker credit: an office, a space, a name ("杭州市拱墅区委常委、组织部部长 施甜甜").
# It is kept as text (it says who spoke) but is never a section heading over the passages below it.
_CAPTION = re.compile(
    r"^\S.{1,48}?(?:书记|部长|主任|会长|院长|所长|局长|区长|市长|镇长|县长|主席|校长|教授|研究员|总编辑|主编|社长|"
    rf"经理|董事长|专员|委员|常委|负责人|代表|干事)\s+[{HAN_BASIC}·]{{2,4}}$"
)


def is_folded_caption(folded: str) -> bool:
    """True when an already folded line is a photo caption or speaker credit; for clean.is_caption."""
    return bool(_CAPTION.match(folded.strip()))


_RULES = (
    _is_navigation, _is_chrome_words, _is_credit, _is_statement, _is_qr_prompt, _is_download_chrome,
    _is_spam, _is_date_line, _is_page_counter,
)
