"""Fixed vocabularies for profiles: CEFR levels, language codes and test score ranges."""

from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CEFR_LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"]
CEFR_CHOICES = [(level, level) for level in CEFR_LEVELS]


def cefr_rank(level: str) -> int:
    """Ordinal of a CEFR level (A1 = 1 ... C2 = 6), 0 when unknown."""
    try:
        return CEFR_LEVELS.index(level.upper()) + 1
    except (ValueError, AttributeError):
        return 0


# ISO 639-1 codes staff are likely to list, with English and Japanese names.
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "ja": ("Japanese", "日本語"),
    "en": ("English", "英語"),
    "zh": ("Chinese", "中国語"),
    "ko": ("Korean", "韓国語"),
    "fr": ("French", "フランス語"),
    "de": ("German", "ドイツ語"),
    "es": ("Spanish", "スペイン語"),
    "pt": ("Portuguese", "ポルトガル語"),
    "it": ("Italian", "イタリア語"),
    "nl": ("Dutch", "オランダ語"),
    "ru": ("Russian", "ロシア語"),
    "ar": ("Arabic", "アラビア語"),
    "hi": ("Hindi", "ヒンディー語"),
    "bn": ("Bengali", "ベンガル語"),
    "ur": ("Urdu", "ウルドゥー語"),
    "th": ("Thai", "タイ語"),
    "vi": ("Vietnamese", "ベトナム語"),
    "id": ("Indonesian", "インドネシア語"),
    "ms": ("Malay", "マレー語"),
    "tl": ("Tagalog", "タガログ語"),
    "my": ("Burmese", "ミャンマー語"),
    "km": ("Khmer", "クメール語"),
    "lo": ("Lao", "ラオ語"),
    "mn": ("Mongolian", "モンゴル語"),
    "ne": ("Nepali", "ネパール語"),
    "si": ("Sinhala", "シンハラ語"),
    "ta": ("Tamil", "タミル語"),
    "fa": ("Persian", "ペルシア語"),
    "tr": ("Turkish", "トルコ語"),
    "he": ("Hebrew", "ヘブライ語"),
    "el": ("Greek", "ギリシャ語"),
    "pl": ("Polish", "ポーランド語"),
    "cs": ("Czech", "チェコ語"),
    "sk": ("Slovak", "スロバキア語"),
    "hu": ("Hungarian", "ハンガリー語"),
    "ro": ("Romanian", "ルーマニア語"),
    "bg": ("Bulgarian", "ブルガリア語"),
    "uk": ("Ukrainian", "ウクライナ語"),
    "sv": ("Swedish", "スウェーデン語"),
    "no": ("Norwegian", "ノルウェー語"),
    "nb": ("Norwegian Bokmål", "ノルウェー語（ブークモール）"),
    "da": ("Danish", "デンマーク語"),
    "fi": ("Finnish", "フィンランド語"),
    "is": ("Icelandic", "アイスランド語"),
    "et": ("Estonian", "エストニア語"),
    "lv": ("Latvian", "ラトビア語"),
    "lt": ("Lithuanian", "リトアニア語"),
    "hr": ("Croatian", "クロアチア語"),
    "sr": ("Serbian", "セルビア語"),
    "sl": ("Slovenian", "スロベニア語"),
    "ca": ("Catalan", "カタルーニャ語"),
    "eu": ("Basque", "バスク語"),
    "ga": ("Irish", "アイルランド語"),
    "cy": ("Welsh", "ウェールズ語"),
    "sw": ("Swahili", "スワヒリ語"),
    "am": ("Amharic", "アムハラ語"),
    "af": ("Afrikaans", "アフリカーンス語"),
    "eo": ("Esperanto", "エスペラント"),
    "la": ("Latin", "ラテン語"),
}


def language_name(code: str) -> str:
    """The language's name in the active UI language, or the code itself when unknown."""
    names = LANGUAGE_NAMES.get(code)
    if not names:
        return code
    return names[1] if (get_language() or "ja").startswith("ja") else names[0]


def language_choices() -> list[tuple[str, str]]:
    """(code, name) choices in the user's language; a callable, so migrations don't freeze them."""
    return sorted(((c, language_name(c)) for c in LANGUAGE_NAMES), key=_japanese_first)


def _japanese_first(choice: tuple[str, str]) -> tuple[int, str]:
    return ({"ja": 0, "en": 1}.get(choice[0], 2), choice[1])


# Score ranges of the tests staff report; a score outside them is a typo.
LANGUAGE_TESTS: dict[str, tuple[Decimal, Decimal]] = {
    "TOEIC": (Decimal(10), Decimal(990)),
    "IELTS": (Decimal(0), Decimal(9)),
    "TOEFL iBT": (Decimal(0), Decimal(120)),
    "HSK": (Decimal(0), Decimal(300)),
}
LANGUAGE_TEST_CHOICES = [
    ("", "—"),
    *[(name, name) for name in LANGUAGE_TESTS],
    ("other", _("Other")),
]
