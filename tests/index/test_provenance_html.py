"""A saved web page keeps its address and site, and is cited as [EB/OL] with URL and access date."""

from __future__ import annotations

import datetime
from pathlib import Path

from index.build.builder import prepare_documents
from index.answer.cite import gbt7714_reference

PAGE = """<html><head><title>社区治理经验</title>
<link rel="canonical" href="https://www.example.cn/news/2023/0301.html">
<meta property="og:site_name" content="示例新闻网">
<meta name="publishdate" content="2023-03-01">
</head><body><article><h1>社区治理经验</h1>
<p>南山区推行小区党支部全覆盖，业委会和物业服务企业在党支部引领下协商小区事务，居民议事常态化。</p>
</article></body></html>"""


def test_a_saved_page_is_cited_with_its_url_site_and_access_date(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")

    [document], _ = prepare_documents(tmp_path)

    assert (document.kind, document.url, document.site, document.date) == (
        "webpage", "https://www.example.cn/news/2023/0301.html", "示例新闻网", "2023-03-01")
    # As the official GB/T 7714—2015 numeric CSL style renders it: with a publisher, the year only.
    assert gbt7714_reference(document, accessed=datetime.date(2024, 5, 1)) == (
        "社区治理经验[EB/OL]. 示例新闻网, 2023[2024-05-01]. https://www.example.cn/news/2023/0301.html.")
