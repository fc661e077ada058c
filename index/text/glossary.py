"""English-to-Chinese glossary of governance terms, for keyword search of English questions.

The reports are Chinese, so an English question shares no tokens with them. The keyword side of
search looks the question's phrases up here and adds the Chinese terms the reports actually use.
Place names written in pinyin are left out on purpose: only translated terms live here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType

# Each group: English phrasings (lowercase; British or American spelling, singular) ->
# Simplified Chinese terms as the reports write them, most specific first.
_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # --- what people said: reports quote speakers with these verbs ------------------------------
    (("talk about", "speak about", "talk", "speak", "say", "said", "point out", "remark", "argue", "view",
      "speech"), ("围绕", "表示", "认为", "指出", "谈", "阐释", "发言")),
    # --- party building -------------------------------------------------------------------
    (("party building",), ("党建",)),
    (("party-building-led", "led by party building"), ("党建引领", "党建")),
    (("party-led", "led by the party"), ("党建引领", "党的领导")),
    # "party" alone: CC-CEDICT's first senses are 各方 (the parties to a deal), 党员 and 党委; here it is the party.
    (("party",), ("党组织", "党建", "党员")),
    (("party leadership",), ("党的领导", "党的全面领导")),
    (("party organization",), ("党组织", "基层党组织")),
    (("grassroots party organization",), ("基层党组织",)),
    (("party branch",), ("党支部", "支部")),
    (("compound party branch",), ("小区党支部",)),
    (("functional party branch",), ("功能型党支部",)),
    (("party committee",), ("党委",)),
    (("general party branch",), ("党总支",)),
    (("working committee",), ("工委", "党工委")),
    (("party group",), ("党小组",)),
    (("party member",), ("党员",)),
    (("party cadre",), ("党员干部",)),
    (("cadre",), ("干部",)),
    (("party-mass service center",), ("党群服务中心", "党群服务站")),
    (("party-mass service station",), ("党群服务站",)),
    (("party and the masses",), ("党群",)),
    (("talent service center",), ("人才服务中心", "党群人才服务中心")),
    (("party school",), ("党校", "委党校")),
    (("central party school",), ("中央党校", "中共中央党校")),
    (("provincial party school",), ("省委党校",)),
    (("municipal party school",), ("市委党校",)),
    (("school of administration",), ("行政学院",)),
    (("party secretary",), ("书记", "党委书记", "党组织书记")),
    (("secretary",), ("书记",)),
    (("branch secretary",), ("支部书记", "党支部书记")),
    (("deputy secretary",), ("副书记",)),
    (("village party secretary",), ("村党组织书记",)),
    (("community party secretary",), ("社区党委书记",)),
    (("organization department",), ("组织部",)),
    (("head of the organization department",), ("组织部部长", "组织部长")),
    (("vanguard", "pioneer"), ("先锋",)),
    (("vanguard academy", "pioneer academy"), ("先锋学院",)),
    (("exemplary role",), ("先锋模范作用", "模范")),
    (("red",), ("红色",)),
    (("red engine",), ("红色引擎",)),
    (("red grid",), ("红网格",)),
    (("red butler",), ("红管家",)),
    (("red flag",), ("红旗", "红旗手")),
    (("red shop",), ("红色商铺",)),
    (("party flag",), ("党旗",)),
    (("party history",), ("党史", "党史学习教育")),
    (("party affairs",), ("党务",)),
    (("party affairs worker",), ("党务工作者",)),
    (("party building brand",), ("党建品牌",)),
    (("party building alliance",), ("党建联盟",)),
    (("alliance",), ("联盟",)),
    (("regional party building",), ("区域党建", "区域化党建")),
    (("grid-based party building",), ("网格化党建",)),
    (("big party committee",), ("大党委",)),
    (("big working committee",), ("大工委",)),
    (("party member household",), ("党员中心户",)),
    (("political birthday",), ("政治生日",)),
    (("show party identity",), ("亮身份",)),
    (("oath",), ("入党誓词",)),
    (("join the party",), ("入党",)),
    (("first topic",), ("第一议题",)),
    (("organizational strength", "organizational capacity"), ("组织力",)),
    (("political function",), ("政治功能",)),
    (("fighting fortress", "bastion"), ("战斗堡垒",)),
    (("organizational coverage",), ("组织覆盖",)),
    (("work coverage",), ("工作覆盖",)),
    (("full coverage",), ("全覆盖",)),
    (("co-building",), ("共建", "联建")),
    (("party building drives mass organization building",), ("党建带群建",)),
    (("mass organization",), ("群团组织", "群团")),
    (("trade union",), ("工会",)),
    (("youth league",), ("共青团", "团委")),
    (("women's federation",), ("妇联",)),
    (("communist party of china",), ("中国共产党", "中共")),
    (("19th party congress",), ("党的十九大", "十九大")),
    (("20th party congress",), ("党的二十大", "二十大")),
    (("xi jinping thought",), ("习近平新时代中国特色社会主义思想",)),
    (("socialism with chinese characteristics",), ("中国特色社会主义",)),
    (("eight-eight strategy",), ("八八战略",)),
    (("thousand villages project",), ("千万工程",)),
    (("theme education",), ("主题教育",)),
    (("service-oriented party organization",), ("服务型党组织",)),
    # --- grassroots and community governance ---------------------------------------------------
    (("grassroots governance",), ("基层治理",)),
    (("grassroots social governance",), ("基层社会治理",)),
    (("grassroots", "grass roots"), ("基层",)),
    (("governance",), ("治理",)),
    (("social governance",), ("社会治理",)),
    (("urban governance",), ("城市治理", "城市基层治理")),
    (("megacity", "super-large city"), ("超大城市", "超大型城市")),
    (("community governance",), ("社区治理",)),
    (("community development",), ("社区发展治理", "社区发展")),
    (("neighborhood governance", "compound governance"), ("小区治理",)),
    (("residential compound", "housing estate", "compound"),
     ("小区", "住宅小区")),
    (("neighborhood",), ("小区", "社区", "邻里")),
    (("residential area",), ("小区", "住宅小区")),
    (("community",), ("社区",)),
    (("urban community",), ("城市社区",)),
    (("sub-district",), ("街道",)),
    (("township",), ("乡镇",)),
    (("village",), ("村",)),
    (("village committee",), ("村委会", "村民委员会")),
    (("two committees",), ("两委",)),
    (("collective economy",), ("集体经济", "村集体")),
    (("residents' committee", "neighborhood committee"), ("居委会", "居民委员会")),
    (("homeowners' committee", "owners' committee", "homeowners association"), ("业委会", "业主委员会")),
    (("red homeowners' committee",), ("红色业委会",)),
    (("homeowner",), ("业主",)),
    (("property management",), ("物业", "物业管理", "物业服务")),
    (("property management company", "property company"),
     ("物业公司", "物业服务企业", "物业企业")),
    (("property",), ("物业",)),
    (("property industry party committee",), ("物业行业党委",)),
    (("red property management", "red property"), ("红色物业",)),
    (("tripartite", "three-party"), ("三方", "三方协同")),
    (("tripartite coordination", "tripartite collaboration"),
     ("三方协同",)),
    (("tripartite office",), ("三方办",)),
    (("troika",), ("三驾马车",)),
    (("compound commissioner",), ("小区专员", "专员")),
    (("grid",), ("网格",)),
    (("grid-based", "grid management"), ("网格化", "网格化管理", "网格")),
    (("grid member", "grid worker"), ("网格员",)),
    (("grid leader",), ("网格长",)),
    (("grid branch",), ("网格支部",)),
    (("grid deliberation day",), ("网格议事日",)),
    (("building leader",), ("楼栋长",)),
    (("volunteer",), ("志愿者", "志愿服务")),
    (("volunteer service",), ("志愿服务",)),
    (("deliberation",), ("议事",)),
    (("consultation",), ("协商",)),
    (("democratic consultation",), ("民主协商", "协商民主")),
    (("deliberation pavilion",), ("议事亭", "快乐议事亭")),
    (("rules of procedure",), ("议事规则",)),
    (("co-construction co-governance and sharing", "shared governance"),
     ("共建共治共享", "共治")),
    (("co-governance", "joint governance"), ("共治",)),
    (("pluralistic governance",), ("多元共治",)),
    (("social governance community", "governance community"), ("社会治理共同体", "治理共同体")),
    (("self-governance",), ("自治", "居民自治")),
    (("rule of law",), ("法治",)),
    (("rule of virtue",), ("德治",)),
    (("social organization", "ngo", "non-profit"), ("社会组织",)),
    (("social enterprise",), ("社会企业",)),
    (("public welfare",), ("公益",)),
    (("two new organizations", "two new", "new economic and social organizations"),
     ("两新组织", "两新")),
    (("non-public enterprise", "non-public", "private enterprise"),
     ("非公企业", "非公有制企业", "非公经济")),
    (("state-owned enterprise",), ("国有企业", "国企")),
    (("enterprise",), ("企业",)),
    (("entrepreneurship",), ("创业",)),
    (("incubation",), ("孵化",)),
    (("employment",), ("就业",)),
    # --- new employment groups ----------------------------------------------------------------
    (("courier", "delivery man", "delivery worker", "delivery staff", "delivery driver"),
     ("快递员", "快递小哥", "快递骑手", "外卖小哥", "骑手", "小哥")),
    (("courier rider",), ("快递骑手", "快递小哥", "快递员", "骑手")),
    (("delivery rider",), ("外卖骑手", "快递骑手", "骑手")),
    (("rider",), ("骑手",)),
    (("food delivery", "takeaway"), ("外卖",)),
    (("express delivery",), ("快递",)),
    (("courier outlet", "courier station", "rider station", "courier hub"), ("快递网点", "驿站", "小哥之家")),
    (("ride-hailing driver",), ("网约车司机", "网约车")),
    (("truck driver",), ("货车司机",)),
    (("new employment group", "gig worker"), ("新就业群体", "新就业形态")),
    (("flexible employment",), ("灵活就业",)),
    # --- indicators, assessment, effectiveness -------------------------------------------------
    (("indicator system", "index system", "indicator framework"),
     ("指标体系",)),
    (("indicator",), ("指标",)),
    (("assessment", "performance appraisal", "evaluation"), ("考核", "评价", "绩效考核")),
    (("governance effectiveness", "governance efficiency"),
     ("治理效能",)),
    (("modernization of governance", "governance modernization"),
     ("治理体系和治理能力现代化", "治理现代化")),
    (("governance capacity",), ("治理能力",)),
    (("governance system",), ("治理体系",)),
    (("governance model",), ("治理模式",)),
    (("work method",), ("工作法",)),
    (("working mechanism",), ("工作机制", "机制")),
    (("coordination mechanism",), ("协调机制",)),
    (("joint meeting",), ("联席会议",)),
    (("standardization",), ("标准化", "规范化")),
    (("regularization", "normalization"), ("常态化", "规范化")),
    (("pilot",), ("试点",)),
    (("pilot zone",), ("试点区", "先行区")),
    (("pilot demonstration zone", "demonstration zone"), ("先行示范区", "示范区")),
    (("demonstration",), ("示范",)),
    (("demonstration belt",), ("示范带", "党建示范带")),
    (("demonstration site",), ("示范点",)),
    (("demonstration community", "model community"), ("示范社区",)),
    (("list management",), ("清单管理",)),
    (("service menu",), ("服务菜单",)),
    # --- digital -------------------------------------------------------------------------------
    (("digitalization",), ("数字化", "数字赋能")),
    (("smart community",), ("智慧社区",)),
    (("big data",), ("大数据",)),
    (("wechat group",), ("微信群",)),
    (("wechat",), ("微信",)),
    (("cloud community",), ("云社区", "掌上云社区")),
    (("empowerment",), ("赋能", "赋权")),
    (("burden reduction",), ("减负",)),
    # --- housing, renewal, services ------------------------------------------------------------
    (("old residential area renovation", "old neighborhood renovation"), ("老旧小区改造", "老旧小区")),
    (("old residential area", "old neighborhood", "old housing", "old compound", "old estate"),
     ("老旧小区", "旧改", "老房")),
    (("beautiful home", "beautiful homes"), ("美丽家园",)),
    (("renovation", "renovate", "refurbish", "upgrade", "retrofit"), ("改造", "更新", "提升")),
    (("organic renewal", "urban renewal"), ("有机更新", "城市更新")),
    (("urban village",), ("城中村",)),
    (("village-to-residence",), ("村改居",)),
    (("urbanization",), ("城镇化", "城市化")),
    (("urban-rural",), ("城乡",)),
    (("rural",), ("农村", "乡村")),
    (("elderly care", "care for the elderly", "aged care"), ("养老", "为老服务")),
    (("elderly", "older people"), ("老年人", "老人", "养老")),
    (("home-based elderly care",), ("居家养老",)),
    (("nursing home",), ("养老院",)),
    (("elderly canteen", "community canteen"), ("老年食堂", "长者食堂", "社区食堂")),
    (("retiree",), ("退休",)),
    (("after-school class", "after-school program"), ("四点半课堂",)),
    (("childcare",), ("托育",)),
    (("left-behind children",), ("留守儿童",)),
    (("people with disabilities",), ("残疾人", "助残")),
    (("veteran",), ("退役军人",)),
    (("families in need", "families in difficulty"), ("困难群众", "困难家庭")),
    (("one-stop service",), ("一站式",)),
    (("service hall",), ("服务大厅",)),
    (("staggered hours",), ("错时服务",)),
    (("appointment service",), ("预约服务",)),
    (("errand service",), ("代办",)),
    (("government services",), ("政务服务",)),
    (("green channel",), ("绿色通道",)),
    (("enterprise service",), ("企业服务",)),
    (("business environment",), ("营商环境",)),
    (("people's livelihood", "livelihood"), ("民生",)),
    (("livelihood micro-projects",), ("民生微实事",)),
    (("last mile",), ("最后一公里",)),
    (("nerve endings",), ("神经末梢",)),
    (("better life",), ("美好生活",)),
    (("sense of happiness",), ("幸福感",)),
    (("sense of belonging",), ("归属感",)),
    (("community convention", "residents' pact"), ("社区公约", "居民公约")),
    (("village rules",), ("村规民约",)),
    (("supervision",), ("监督",)),
    (("supervision group",), ("监督小组",)),
    (("neighborly relations",), ("邻里", "邻里关系")),
    (("good neighbor",), ("好邻居", "近邻")),
    (("stationed unit",), ("驻区单位", "共建单位")),
    (("cross-regional",), ("跨域",)),
    (("school-local",), ("校地", "校地党建联盟")),
    (("industry-university-research",), ("产学研",)),
    (("think tank",), ("智库",)),
    (("experts and scholars", "expert"), ("专家学者", "专家")),
    (("professor",), ("教授",)),
    (("university teacher",), ("高校教师",)),
    (("university", "college"), ("高校", "大学")),
    (("university student",), ("大学生",)),
    (("talent",), ("人才",)),
    (("high-level talent",), ("高层次人才",)),
    (("academician",), ("院士",)),
    (("temporary post", "temporary assignment", "secondment"), ("挂职", "挂职锻炼", "挂职历练")),
    (("cadre training",), ("干部培养", "干部培训")),
    (("head goose", "lead goose", "lead geese"), ("头雁",)),
    # --- rural and development ------------------------------------------------------------------
    (("rural revitalization",), ("乡村振兴",)),
    (("poverty alleviation",), ("脱贫攻坚", "扶贫")),
    (("common prosperity", "shared prosperity"), ("共同富裕",)),
    (("high-quality development",), ("高质量发展",)),
    (("pairing assistance",), ("结对", "结对帮扶")),
    # --- epidemic and emergencies ----------------------------------------------------------------
    (("epidemic prevention", "epidemic control"), ("疫情防控",)),
    (("epidemic", "pandemic", "covid"), ("疫情", "新冠肺炎", "疫情防控")),
    (("flood control",), ("防汛",)),
    (("emergency management",), ("应急管理", "应急")),
    (("routine management",), ("常态化管理",)),
    (("wartime",), ("战时", "平战转换")),
    (("public security patrol",), ("治安巡逻", "治安")),
    (("safety hazard",), ("安全隐患",)),
    # --- disputes --------------------------------------------------------------------------------
    (("dispute resolution", "conflict resolution"),
     ("矛盾纠纷化解", "矛盾纠纷", "纠纷调解", "矛盾化解")),
    (("dispute",), ("纠纷", "矛盾纠纷")),
    (("conflict",), ("矛盾",)),
    (("mediation",), ("调解", "纠纷调解")),
    (("fengqiao experience",), ("枫桥经验",)),
    (("petition",), ("信访",)),
    (("comprehensive governance",), ("综合治理", "综治")),
    # --- everyday community problems ------------------------------------------------------------
    (("parking",), ("停车", "停车难")),
    (("pet",), ("宠物",)),
    (("garbage", "rubbish"), ("垃圾", "垃圾分类")),
    (("environmental improvement",), ("环境整治",)),
    (("community banquet",), ("百家宴",)),
    (("harmonious community",), ("和谐社区",)),
    (("social worker",), ("社工", "社会工作")),
    (("community worker",), ("社区工作者", "社区工作人员")),
    (("resident",), ("居民",)),
    (("the masses",), ("群众",)),
    (("mass line",), ("群众路线",)),
    (("people-centered",), ("以人民为中心", "以人为本")),
    (("floating population", "migrant"), ("流动人口", "外来人口")),
    (("foreigner",), ("外国人", "外籍人口")),
    (("micro-service",), ("微服务", "贴心服务")),
    # --- places and institutions with translated names -------------------------------------------
    (("park city",), ("公园城市",)),
    (("new area",), ("新区",)),
    (("high-tech zone",), ("高新区",)),
    (("industrial park",), ("产业园区", "园区")),
    (("business district",), ("商圈",)),
    (("office building",), ("楼宇",)),
    (("special economic zone",), ("经济特区",)),
    (("greater bay area",), ("粤港澳大湾区", "大湾区")),
    (("district party committee",), ("区委",)),
    (("municipal party committee",), ("市委",)),
    (("provincial party committee",), ("省委",)),
    (("people's daily",), ("人民日报", "人民日报社")),
    (("people's tribune", "people's forum"), ("人民论坛",)),
    (("new hope group",), ("新希望集团",)),
    (("blue sky rescue",), ("蓝天救援",)),
    (("party building research association",), ("党建研究会",)),
    # --- events and outputs ----------------------------------------------------------------------
    (("forum",), ("论坛",)),
    (("symposium", "seminar"), ("研讨会",)),
    (("roundtable",), ("圆桌论坛",)),
    (("sofa forum",), ("沙发论坛",)),
    (("keynote speech",), ("主旨演讲",)),
    (("concluding remarks",), ("总结发言",)),
    (("site visit", "field visit"), ("实地观摩", "现场调研", "实地调研")),
    (("field research",), ("调研", "调研组")),
    (("press conference",), ("发布会",)),
    (("certificate",), ("证书",)),
    (("unveiling",), ("揭牌",)),
    (("training base",), ("实训基地",)),
    (("research institute",), ("研究院",)),
    (("typical case", "case study", "best practice"), ("典型案例", "案例")),
    (("innovation case",), ("创新案例",)),
    (("top ten innovation cases",), ("十佳创新案例",)),
)

_BRITISH_TO_AMERICAN = (
    ("neighbour", "neighbor"), ("centre", "center"), ("labour", "labor"), ("programme", "program"),
    ("honour", "honor"), ("favour", "favor"), ("behaviour", "behavior"), ("fulfil", "fulfill"),
    ("catalogue", "catalog"), ("metre", "meter"),
)
_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b")
_UNDOUBLE = frozenset("bdgmnprt")


def _stem(word: str) -> str:
    """Folds spelling and simple inflection, e.g. organised/organizing/organise -> "organis"."""
    for british, american in _BRITISH_TO_AMERICAN:
        word = word.replace(british, american)
    word = word.replace("iz", "is")
    stripped = True
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
        stripped = False
    elif word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
        stripped = False
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("es") and word[:-2].endswith(("ss", "x", "ch", "sh")):
        word = word[:-2]
        stripped = False
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
        stripped = False
    else:
        stripped = False
    if stripped and len(word) > 3 and word[-1] == word[-2] and word[-1] in _UNDOUBLE:
        word = word[:-1]  # e.g. planned -> plann -> plan
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]  # e.g. organise and organis(ed) meet at "organis"
    return word


def _stems(text: str) -> tuple[str, ...]:
    """Lowercases, drops possessive 's and splits on anything that is not a letter or digit."""
    return tuple(_stem(word) for word in _WORD.findall(_POSSESSIVE.sub("", text.lower())))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _build_glossary() -> dict[str, tuple[str, ...]]:
    glossary: dict[str, tuple[str, ...]] = {}
    for phrases, terms in _GROUPS:
        for phrase in phrases:
            glossary[phrase] = _unique((*glossary.get(phrase, ()), *terms))
    return glossary


GLOSSARY: Mapping[str, tuple[str, ...]] = MappingProxyType(_build_glossary())


def _build_index(glossary: Mapping[str, tuple[str, ...]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for phrase, terms in glossary.items():
        key = _stems(phrase)
        index[key] = _unique((*index.get(key, ()), *terms))
    return index


# Words that carry no topic in an English question.
ENGLISH_STOPWORDS = frozenset(
    """a an the of in on at to for and or but is are was were be been being do does did done doing how what which
    who whom whose why when where there here this that these those it its they them their we our us you your i me
    my he she his her has have had having can could would should will shall may might must many much more most
    some any all each every about with by from as into than then so such not no yes if also very just only
    other others own same both either neither one two three first last new get got make made use used way ways
    tell know want need help like please thing things kind sort there's what's how's
    district districts city county province town township area region""".split()
)


_INDEX = _build_index(GLOSSARY)
_STOP_STEMS = frozenset(_stem(word) for word in ENGLISH_STOPWORDS) | ENGLISH_STOPWORDS
_LONGEST = max(len(key) for key in _INDEX)


def english_stems(text: str) -> tuple[str, ...]:
    """The words of an English text as the glossary compares them: lowercase, spelling and inflection folded."""
    return _stems(text)


def is_stopword(stem: str) -> bool:
    """Whether an English word stem carries no topic ("the", "how", "district")."""
    return stem in _STOP_STEMS


def uncovered_words(question: str) -> tuple[str, ...]:
    """Content words of an English question that no glossary phrase covers (as stems), in order."""
    words = _stems(question)
    left: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(_LONGEST, len(words) - position), 0, -1):
            if words[position : position + size] in _INDEX:
                position += size
                break
        else:
            word = words[position]
            if word not in _STOP_STEMS and len(word) > 2 and not word.isdigit():
                left.append(word)
            position += 1
    return _unique(left)


def english_concepts(question: str) -> tuple[tuple[str, ...], ...]:
    """For each glossary phrase in an English question, its Chinese terms (synonyms of one concept).

    At each word the longest phrase wins, so "red property management" gives (红色物业,) rather
    than 红色 plus 物业.
    """
    words = _stems(question)
    found: list[tuple[str, ...]] = []
    position = 0
    while position < len(words):
        for size in range(min(_LONGEST, len(words) - position), 0, -1):
            terms = _INDEX.get(words[position : position + size])
            if terms is not None:
                if terms not in found:
                    found.append(terms)
                position += size
                break
        else:
            position += 1
    return tuple(found)


def english_terms(question: str) -> tuple[str, ...]:
    """Chinese terms for the glossary phrases in an English question, in order of appearance, unrepeated."""
    return _unique(term for concept in english_concepts(question) for term in concept)


def _build_glosses() -> dict[str, str]:
    # A Chinese term's gloss is the first English phrasing of the first group that lists it first:
    # 党建 -> "party building", not the "party-building-led" group where it is a fallback. The
    # group of speech verbs (表示, 指出…) says who spoke, not what about, so it glosses nothing.
    glosses: dict[str, str] = {}
    for phrases, terms in _GROUPS[1:]:
        if terms and len(terms[0]) >= 2:
            glosses.setdefault(terms[0], phrases[0])
    return glosses


_GLOSSES = MappingProxyType(_build_glosses())
_GLOSSED_TERMS = re.compile("|".join(re.escape(t) for t in sorted(_GLOSSES, key=len, reverse=True)))


def chinese_glosses(folded_text: str, *, most: int) -> tuple[tuple[str, str], ...]:
    """Key governance terms in a passage's folded (Simplified) text with their English glosses, in order.

    For English readers under each passage: ("网格化", "grid-based management"). Longer terms win where
    terms overlap, a term inside one already listed is left out, and at most `most` are given.
    """
    found: dict[str, str] = {}
    for match in _GLOSSED_TERMS.finditer(folded_text):
        term = match.group()
        if any(term in longer for longer in found):
            continue  # 物业 adds nothing once 红色物业 is listed
        found[term] = _GLOSSES[term]
        if len(found) == most:
            break
    return tuple(found.items())
