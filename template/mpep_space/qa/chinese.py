"""Written Cantonese or standard written Chinese (Mandarin)? Three signals, decided together.

Both are written with Han characters, so the script check cannot tell them apart, and the
identifier alone is not enough on short texts. Three signals:

- **Markers.** Written Cantonese has its own function words (嘅 咗 唔 佢 哋 喺 冇 嘢 啲 嚟 ...)
  that standard written Chinese does not use; standard written Chinese has its own (的 了 們 這
  那 哪 在 說 看 不 沒有 什麼 嗎 ...) where Cantonese writes 嘅 咗 哋 呢 嗰 邊 喺 講 睇 唔 冇
  乜嘢 咩 (compounds that Cantonese shares, like 現在 or 不過, are not counted).
- **Script.** The Cantonese Space asks for Traditional characters as used in Hong Kong;
  Simplified characters point to text written for mainland China.
- **The identifier's own scores** (py3langid knows ``yue`` and ``zh``): on the bench, good
  Cantonese scored at least 0.72 for Cantonese, standard written Chinese 0.01-0.09.

The verdict is standard written Chinese only when the markers and the identifier agree, or
when the markers alone are overwhelming; a message names what was found.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .identifier import language_probabilities, model_labels

#: Function words of written Cantonese that standard written Chinese does not use.
CANTONESE_MARKERS = "嘅咗唔佢哋喺冇嘢啲嚟噉咁睇畀俾啱嗰乜咩嘞喇囉吖㗎冚嘥攞諗揾搵"
#: 係 is Cantonese for 是, but also part of 關係/聯係 (relationship) in standard Chinese.
_CANTONESE_HAI = re.compile(r"(?<![關联聯关])係")
#: Function words of standard written Chinese that written Cantonese replaces.
MANDARIN_MARKERS = re.compile(
    r"們|们|這|这|那|哪|沒有|没有|什麼|什么|怎麼|怎么|嗎|吗|(?<![其])他|她|(?<![目])的(?![士確确])"
    r"|了|是|(?<![現现存實实自])在|(?<![小])[說说]|看|不(?![過过同如斷断少])"
)
#: Characters that exist only in the Simplified script (common ones; Traditional differs).
SIMPLIFIED_ONLY = frozenset(
    "们这说为么没国个时东间对会来过还开问点样书长关发见现经动实让认记请读写语话边专业习"
    "买卖亲爱马鸟鱼网电设计资钱从务场级纸线组给统继续红绿页领风飞馆饭养验乐广应张录总战"
    "护报择换数无显权条杂极构标检汉测济满热环产画盖监确种称简类紧纪约细织终结绝编罗职联"
    "脑脚艺节药获营虽补观规视觉订讨训议讲许论访证评识词译试该详误课谁调谈谢负财责败账货"
    "质购费赛转轮软轻较辆达进远连选递逻邮钟铁银锁错键门间闻阅阳阴际陆陈险随难须顶项顺预"
    "题颜额饮驾骑鸡麦黄齐龄龙"
)
#: Enough Han characters for the identifier to have a say ...
MIN_HAN = 8
#: ... and below that, for the markers alone.
MIN_HAN_FOR_MARKERS = 4
#: The identifier's share for Cantonese among yue/zh/wuu below which it votes "Mandarin".
MAX_CANTONESE_PROBABILITY = 0.3
#: ... and below which one Mandarin marker (and no Cantonese one) is enough.
MAX_CANTONESE_PROBABILITY_ONE_MARKER = 0.2
#: A share of Simplified-only characters among Han characters that means Simplified script.
MIN_SIMPLIFIED_SHARE = 0.05


@dataclass(frozen=True)
class Verdict:
    mandarin: bool  # standard written Chinese, not Cantonese
    simplified: bool  # written in Simplified characters
    cantonese_markers: int
    mandarin_markers: int
    examples: tuple[str, ...]  # the standard Chinese markers found, most frequent first
    p_cantonese: float | None  # the identifier's share for Cantonese, if it ran


def _han(text: str) -> list[str]:
    return [ch for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"]


def judge(text: str) -> Verdict | None:
    """Cantonese or standard written Chinese; None when the text has too few Han characters."""
    han = _han(text)
    if len(han) < MIN_HAN_FOR_MARKERS:
        return None
    cantonese = sum(text.count(ch) for ch in CANTONESE_MARKERS) + len(_CANTONESE_HAI.findall(text))
    found = MANDARIN_MARKERS.findall(text)
    mandarin = len(found)
    examples = tuple(word for word, _ in Counter(found).most_common(4))
    simplified = sum(1 for ch in han if ch in SIMPLIFIED_ONLY) / len(han) >= MIN_SIMPLIFIED_SHARE
    if len(han) < MIN_HAN:
        # Too short for the identifier: only unmixed markers decide ("什麼是黑洞？").
        is_mandarin = cantonese == 0 and mandarin >= 2
        return Verdict(is_mandarin, simplified, cantonese, mandarin, examples, None)
    p_cantonese = None
    if "yue" in model_labels():
        ranked = language_probabilities(text, frozenset({"yue", "zh", "wuu"}))
        if ranked:
            p_cantonese = sum(p for lab, p in ranked if lab == "yue")
    identifier_says_mandarin = p_cantonese is not None and p_cantonese < MAX_CANTONESE_PROBABILITY
    markers_say_mandarin = mandarin >= 2 and cantonese * 3 < mandarin
    overwhelming = cantonese == 0 and mandarin >= 4
    # One marker and no Cantonese one is enough when the identifier is sure as well (good
    # Cantonese without markers scored >= 0.26 on the bench; "給更好睡眠的建議？" 0.12).
    one_and_sure = (
        mandarin >= 1
        and cantonese == 0
        and p_cantonese is not None
        and p_cantonese < MAX_CANTONESE_PROBABILITY_ONE_MARKER
    )
    is_mandarin = (
        markers_say_mandarin and (identifier_says_mandarin or overwhelming)
    ) or one_and_sure
    return Verdict(is_mandarin, simplified, cantonese, mandarin, examples, p_cantonese)


def describe(verdict: Verdict) -> str:
    """Why the text reads as standard written Chinese, for the message."""
    reasons = [
        f"it uses standard Chinese words ({' '.join(verdict.examples)}: "
        f"{verdict.mandarin_markers} times)"
        + (
            " and no Cantonese ones (嘅 係 咗 唔 佢)"
            if verdict.cantonese_markers == 0
            else f" and Cantonese ones only {verdict.cantonese_markers} times"
        )
    ]
    if verdict.simplified:
        reasons.append("it is in Simplified characters")
    return "; ".join(reasons)
