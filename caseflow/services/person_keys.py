"""The keys a person is matched by across cases (services/persons.py).

- ID number: an 18-digit 居民身份证号码 (GB 11643-1999) in upper case; a 15-digit one (the
  first generation, all born in the 1900s) becomes the 18-digit number: the year gets
  "19" and the check character (ISO 7064 MOD 11-2) is appended.
- Phone: digits only, without a +86 / 0086 country prefix (spaces, dashes, brackets and
  dots dropped).
- Name: white space and the 间隔号 dropped, each character taken to its common simplified
  form by VARIANTS below (traditional forms and 异体字 that people write for the same name),
  and its toneless pinyin (pypinyin), so that 张伟, 張偉 and 章伟 with the same birth date are
  proposed as the same person (章 and 张 by pinyin; the user decides).

VARIANTS is this project's own small table of the characters most often met in names;
extend it here (one character to its simplified form; both sides single characters).
"""

import re

from pypinyin import Style, lazy_pinyin

# Traditional → simplified, and 异体字 → the standard form, for characters common in names.
VARIANTS: dict[str, str] = dict(
    pair.split(">")
    for pair in (
        # surnames
        "張>张 劉>刘 陳>陈 楊>杨 黃>黄 趙>赵 吳>吴 孫>孙 馬>马 羅>罗 鄭>郑 謝>谢 許>许 韓>韩 "
        "馮>冯 鄧>邓 蕭>萧 蔣>蒋 葉>叶 蘇>苏 呂>吕 盧>卢 鍾>钟 譚>谭 陸>陆 範>范 賈>贾 韋>韦 "
        "鄒>邹 閆>闫 龍>龙 賀>贺 顧>顾 龔>龚 萬>万 錢>钱 嚴>严 湯>汤 歐>欧 陽>阳 聶>聂 鄔>邬 "
        # given names
        "國>国 華>华 偉>伟 麗>丽 紅>红 軍>军 強>强 兒>儿 寶>宝 東>东 蘭>兰 鳳>凤 靜>静 傑>杰 "
        "榮>荣 輝>辉 雲>云 愛>爱 貴>贵 義>义 慶>庆 興>兴 連>连 學>学 曉>晓 雙>双 誠>诚 書>书 "
        "彥>彦 濤>涛 鵬>鹏 飛>飞 鋒>锋 剛>刚 儀>仪 嬌>娇 艷>艳 豔>艳 鳴>鸣 綫>线 "
        # 异体字
        "峯>峰 羣>群 囯>国 甯>宁 昇>升 喆>哲 堃>坤 淸>清 敎>教 嵗>岁 裏>里 秊>年 竝>并 "
        "鷄>鸡 綉>绣 牀>床 秌>秋"
    ).split()
)

_NAME_DROP = re.compile(r"[\s·•．.]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number(value: str | None) -> str | None:
    """The 18-character form of an ID number, or None if it is not one."""
    if not value:
        return None
    compact = re.sub(r"[\s\-]", "", value).upper()
    if re.fullmatch(r"\d{15}", compact):
        first17 = compact[:6] + "19" + compact[6:]
        return first17 + id_check_char(first17)
    if re.fullmatch(r"\d{17}[\dX]", compact):
        return compact
    return None


def phone(value: str | None) -> str | None:
    """Digits of a phone number without the country prefix, or None."""
    if not value:
        return None
    compact = re.sub(r"[\s\-().]", "", value)
    compact = re.sub(r"^(\+86|0086)", "", compact)
    if re.fullmatch(r"861\d{10}", compact):
        compact = compact[2:]
    return compact if re.fullmatch(r"\d{5,15}", compact) else None


def name_key(value: str | None) -> str | None:
    """The name with variant characters in their standard form (see VARIANTS)."""
    if not value:
        return None
    cleaned = _NAME_DROP.sub("", value)
    return "".join(VARIANTS.get(c, c) for c in cleaned).lower() or None


def name_pinyin(value: str | None) -> str | None:
    """Toneless pinyin of the name's standard form, syllables joined ("zhangwei")."""
    key = name_key(value)
    if not key:
        return None
    return "".join(lazy_pinyin(key, style=Style.NORMAL, errors="default")).lower() or None
