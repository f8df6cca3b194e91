"""align.segment: golden cases, the shared challenge set, paragraphs, presplit, invariants.

Golden cases use razdel's notation: ``|`` marks where a sentence ends or starts, so
``'Он ушёл.| |Она осталась.'`` is the text ``'Он ушёл. Она осталась.'`` split in two.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from align.segment import MAX_CHARS, split, split_counted, split_presplit
from align.types import Sentence

CHALLENGE = (
    Path(__file__).resolve().parents[2].parent / "shared/corpora/segmentation-challenge.jsonl"
)


def parse(case: str) -> tuple[str, list[str]]:
    """``'A.| |B.'`` -> (``'A. B.'``, ``['A.', 'B.']``)."""
    parts = case.split("|")
    return "".join(parts), [p for p in parts if p.strip()]


def texts(text: str, lang: str) -> list[str]:
    return [s.text for s in split(text, lang)]


RU = [
    "Об этом заявил А. В. Иванов.| |Он подчеркнул важность решения.",
    "Музей им. А. С. Пушкина открылся после ремонта.| |Вход свободный.",
    "Это произошло в 2019 г.| |Затем ситуация изменилась.",
    "В XIX в. Москва быстро росла.",
    "Цены выросли на 5 тыс. руб. в месяц.",
    "Он живёт на просп. Мира, д. 12, кв. 5.| |Соседи его знают.",
    "И т. д. и т. п.| |В общем, всё как обычно.",
    "— Вы придёте? — спросила она.| |— Нет.",
    "«Мы справимся!» — пообещал министр.| |Ему поверили не все.",
    "Он вернулся (об этом писали «Ведомости». — Ред.) в марте.| |Все были рады.",
    "Сделка закрыта; сумма не раскрывается.",
    "Он ждал...| |Но никто не пришёл.",
    "Счёт стал 2:1.| |Болельщики ликовали.",
    "Команда выиграла Серию А.| |В следующем сезоне она сыграет в Лиге чемпионов.",
    "Ставка — 7,5%.| |ЦБ сохранил её впервые за год.",
    "По данным ТАСС, в 2022 г. было продано 5 млн. шт.| |Это рекорд.",
    "Курс составил 75,5 руб. за долл. США.",
    "Директор ООО «Ромашка» И. И. Иванов заявил об уходе.| |Его сменит заместитель.",
    "Так, напр., в п. 3 ст. 5 закона сказано иное.",
    "В г. Москве и Московской обл. прошли обыски.| |Задержаны трое.",
    "Он окончил МГУ им. М. В. Ломоносова в 1995 г.| |Затем работал в банке.",
    "Расходы составят 1,5 трлн руб.| |Доходы — 2 трлн руб.",
    "«Что делать?» — спросил он.| |«Ничего», — ответили ему.",
    "Цена выросла на 10% (с 100 до 110 руб.).| |Спрос упал.",
    "Это случилось в 90-е гг. прошлого века.",
    "В 1990-х гг. Россия пережила кризис.",
    "Температура достигла +35 °C.| |Синоптики предупреждают о жаре.",
    "Он спросил: «Вы уверены?»| |Она кивнула.",
    "Закон изменили в ст. 5.| |Поправки вступят в силу в мае.",
    "Состав оформили за 31 час.| |«Раньше очередь считали сутками», — сказал он.",
    "В 2026 г. перевезут 24 тыс. TEU, а к 2028 г. — вдвое больше.",
    "Доход вырос на 5 млн.| |«Газпром» доволен.",
    "Отличное место)| |Вернёмся ещё.",
    "Повестка: а) Отчёт; б) Выборы.",
    "Повестка: 1) Отчёт; 2) Выборы.",
    "Экспорт составил около 3 млн т.| |По словам трейдеров, цены выросли.",
    "Собрали 250 тыс. т.| |«Это рекорд», — сказал министр.",
    "Вывезли 12 т.| |Это немного.",
    "Он, т. е. директор, ушёл.",
]
EN = [
    "Sen. Elizabeth Warren spoke on Monday.| |She was brief.",
    "The company is based in Palo Alto, Calif., and employs 300 people.| |It is growing.",
    "Prices rose approx. 5% in May.| |Wages did not.",
    "The study by Smith et al. was retracted.| |Nobody noticed.",
    "She holds a Ph.D. in physics from MIT.| |She teaches there.",
    "The shop opens at 9 a.m. and closes at 6 p.m.| |It is closed on Sundays.",
    "The talks resumed in Sept. 2019 after a pause.| |They failed again.",
    "See Fig. 3 for the results.| |They are clear.",
    "Rev. Martin Luther King Jr. led the march.| |Thousands joined him.",
    "Real Madrid vs. Barcelona ended 2-1.| |Fans celebrated.",
    "It happened in the U.K.| |The police were called.",
    "Lt. Col. Smith commanded the unit.| |He was decorated.",
    "Gov. Newsom signed the bill on Oct. 4.| |It takes effect in 2024.",
    "President John F. Kennedy was shot in 1963.| |The nation mourned.",
    "The vaccine contains vitamin C.| |It is safe.",
    "Why now?| |Nobody knows.",
    '"Stop!" he cried.| |Nobody stopped.',
    "It costs 5 dollars, i.e. a bargain.| |Buy it.",
    "Mr. and Mrs. Smith came.| |They left early.",
    "The firm, XYZ Ltd., was sold.| |Its founder retired.",
    "He was born in Washington, D.C.| |He moved to Boston.",
    "Ms. Harris, 59, met Mr. Xi in Nov. 2023.| |They talked.",
    "Prof. J. Smith and Dr. K. Lee wrote the paper.| |It won a prize.",
    "The company, based in St. Louis, cut 200 jobs.| |Shares fell.",
    "It was 10:30 a.m. when the blast hit.| |Nobody was hurt.",
    "The report (see Sec. 4) was leaked.| |Officials were angry.",
    "She asked, “Are you sure?”| |He nodded.",
    '"And after?" Timur asked.| |He did not wait.',
    '"What do we need coal for?" I asked.| |Nobody answered.',
    "“Is it far?” Aunt Dilya asked quietly.| |It was.",
    "“Will there be water in July?” I ask him as I leave.| |He smiles.",
    '"Stop!"| |Timur ran to the gate.',
    '"Four hundred dollars?"| |Nobody answered.',
    '"Where will I walk?"| |She laughed a little.',
    "He joined Goldman Sachs Group Inc. in 2005.| |He left in 2010.",
]
OTHER = [
    ("de", "Dr. Müller kam am 9. September nach Berlin.| |Er blieb zwei Tage."),
    ("de", "Das ist z. B. ein Test.| |Er läuft."),
    ("de", "Am 15. Juli brachen wir auf.| |Das Wetter hielt."),
    ("de", "Das 17. Jahrhundert brachte dem Pass wenig Gutes.| |Dann kam die Strasse."),
    ("de", "Abb. 3. Der Gipfelgrat vom Col aus gesehen.| |Wir stiegen weiter."),
    ("de", "Der Leser findet sie in Abb. 4.| |Abb. 4. Jährlicher Rückgang der Stirn."),
    ("de", "Im Jahre 15 v. Chr. kamen die Römer.| |Sie bauten eine Strasse."),
    ("de", "Wir trafen Herrn Ing. W. Rüfenacht in Bern.| |Er half uns."),
    ("de", "Bohren schrie: „Weg mit dem Eisen!“| |Wir legten die Pickel ab."),
    ("fr", "Nous quittâmes la cabane à 2 h. 45 par un froid vif.| |Le ciel était clair."),
    ("fr", "Chaque porteur recevait 4 fr. 50 par charge.| |Ils étaient contents."),
    ("fr", "Fig. 2. Le grand gendarme de l'arête.| |Nous le contournâmes."),
    ("fr", "Les valeurs figurent à la fig. 4 du rapport.| |Elles sont claires."),
    ("fr", "Il est arrivé à Paris.| |M. Dupont l'attendait."),
    ("es", "¿Vienes mañana?| |Sí, a las diez."),
    ("zh", "我们明天见。||他走了。||真的吗？||是的。"),
    ("ja", "今日は晴れです。||明日は雨でしょう。"),
]


@pytest.mark.parametrize("case", RU)
def test_russian(case: str) -> None:
    text, want = parse(case)
    assert texts(text, "ru") == want


@pytest.mark.parametrize("case", EN)
def test_english(case: str) -> None:
    text, want = parse(case)
    assert texts(text, "en") == want


@pytest.mark.parametrize(("lang", "case"), OTHER)
def test_other_languages(lang: str, case: str) -> None:
    text, want = parse(case)
    assert texts(text, lang) == want


def _challenge() -> list[dict[str, object]]:
    if not CHALLENGE.is_file():
        return []
    return [json.loads(line) for line in CHALLENGE.read_text(encoding="utf-8").splitlines()]


# Cases not solved yet would be listed here: {text: reason} -> xfail(strict=True).
UNSOLVED: dict[str, str] = {}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=UNSOLVED[str(c["text"])]))
        if c["text"] in UNSOLVED
        else c
        for c in _challenge()
    ],
    ids=lambda c: f"{c['lang']}:{str(c['text'])[:30]}",
)
def test_challenge(case: dict[str, object]) -> None:
    assert texts(str(case["text"]), str(case["lang"])) == case["sentences"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_project_sample_splits_as_its_presplit_form(root: Path, lang: str) -> None:
    """corpora/sample.*.txt against sample.*.sents, the corpus's own sentence lines."""
    txt, sents = root / f"corpora/sample.{lang}.txt", root / f"corpora/sample.{lang}.sents"
    if not (txt.is_file() and sents.is_file()):
        pytest.skip("corpora/sample files are missing")
    got = split(txt.read_text(encoding="utf-8"), lang)
    want = split_presplit(sents.read_text(encoding="utf-8"))
    assert [(s.paragraph, s.text) for s in got] == [(s.paragraph, s.text) for s in want]


def test_challenge_set_is_there(shared: Path) -> None:
    assert len(_challenge()) >= 50, "the challenge cases were not collected"


# -- paragraphs and layout -------------------------------------------------------------------------


def layout(text: str, lang: str = "en") -> list[tuple[int, str]]:
    return [(s.paragraph, s.text) for s in split(text, lang)]


@pytest.mark.parametrize(("text", "word", "cut", "added", "joins"), [
    ("Экспорт составил около 3 млн т. По словам трейдеров, цены выросли.", "По", True,
     "endable_abbreviation", "head_abbreviation"),
    ("Это произошло в 2019 г. Затем ситуация изменилась.", "Затем", True, "unit_symbol",
     "head_abbreviation"),
    ("Gen. Petraeus spoke. He left.", "Petraeus", False, None, "head_abbreviation"),
    ("Gen. Petraeus spoke. He left.", "He", True, None, None),
    ("Dr. Müller kam am 9. September nach Berlin.", "September", False, None, "german_ordinal"),
    ("Он вернулся (об этом писали «Ведомости». — Ред.) в марте.", "—", False, None,
     "inside_parentheses"),
])
def test_a_test_can_say_which_rule_cut(text: str, word: str, cut: bool, added: str | None,
                                       joins: str | None) -> None:
    from align.segment.sentences import which_rule

    lang = "ru" if "а" in text else "de" if "kam" in text else "en"
    assert which_rule(text, text.index(word), lang) == (cut, added, joins)


def test_rules_are_named_functions_in_order() -> None:
    from align.segment.sentences import JOINS, MISSED

    names = [r.__name__ for r in (*MISSED, *JOINS)]
    assert len(set(names)) == len(names) and all(r.__doc__ for r in (*MISSED, *JOINS))
    assert names.index("edge") == len(MISSED)  # the guards come first in each list
    assert names[1] == "no_capital"


def test_a_date_line_alone_is_a_sentence_of_its_own() -> None:
    for lang, body in (("ru", "Цены выросли. Это много."), ("en", "Prices rose. That is a lot.")):
        got = [(s.text, s.paragraph) for s in split(f"Москва\n\n14.10.2024\n{body}", lang)]
        assert got[1] == ("14.10.2024", 1)
        assert got[2][1] == 2


def test_blank_lines_separate_paragraphs() -> None:
    text = "One. Two.\n\n\nThree.\n \nFour."
    assert layout(text) == [(0, "One."), (0, "Two."), (1, "Three."), (2, "Four.")]


def test_headline_dateline_and_standfirst_are_paragraphs() -> None:
    text = (
        "Putin meets Biden in Geneva\n"
        "The leaders agree to talk again\n"
        "GENEVA, June 16\n"
        "The two leaders met on Wednesday. They spoke for four hours.\n"
    )
    assert layout(text) == [
        (0, "Putin meets Biden in Geneva"),
        (1, "The leaders agree to talk again"),
        (2, "GENEVA, June 16"),
        (3, "The two leaders met on Wednesday."),
        (3, "They spoke for four hours."),
    ]


def test_one_paragraph_a_line() -> None:
    text = "Заголовок\nПервый абзац. Ещё предложение.\nВторой абзац.\n«Третий абзац», — сказал он."
    assert layout(text, "ru") == [
        (0, "Заголовок"),
        (1, "Первый абзац."),
        (1, "Ещё предложение."),
        (2, "Второй абзац."),
        (3, "«Третий абзац», — сказал он."),
    ]


def test_hard_wrapped_lines_do_not_split_sentences() -> None:
    text = (
        "Russian President Vladimir Putin met U.S. President Joe Biden in\n"
        "Geneva on Wednesday for talks that both sides described as\n"
        "constructive. The meeting lasted about four hours, shorter than\n"
        "expected.\n"
        "\n"
        "Biden said he had raised the issue of cyber attacks with Putin and\n"
        "Navalny's health.\n"
    )
    assert layout(text) == [
        (
            0,
            (
                "Russian President Vladimir Putin met U.S. President Joe Biden in\n"
                "Geneva on Wednesday for talks that both sides described as\nconstructive."
            ),
        ),
        (0, "The meeting lasted about four hours, shorter than\nexpected."),
        (
            1,
            "Biden said he had raised the issue of cyber attacks with Putin and\nNavalny's health.",
        ),
    ]


def test_hard_wrapped_russian_with_a_dash_at_line_start() -> None:
    text = "Срок поставки оборудования по контракту составит две недели\n— до 1 марта. Продлений не будет."
    assert layout(text, "ru") == [
        (0, "Срок поставки оборудования по контракту составит две недели\n— до 1 марта."),
        (0, "Продлений не будет."),
    ]


def test_headline_above_hard_wrapped_text() -> None:
    text = (
        "Putin meets Biden\n"
        "Russian President Vladimir Putin met U.S. President Joe Biden in\n"
        "Geneva on Wednesday, the Kremlin said.\n"
    )
    assert layout(text) == [
        (0, "Putin meets Biden"),
        (1, text[18:].strip()),
    ]


def test_indented_line_in_wrapped_text_starts_a_paragraph() -> None:
    text = (
        "The first paragraph of a hard-wrapped text goes on for a while,\n"
        "and then it ends here.\n"
        "    The second paragraph is indented and also wraps over two\n"
        "lines of text.\n"
    )
    assert [p for p, _ in layout(text)] == [0, 1]


def test_markdown_headings_bullets_and_rules() -> None:
    text = "# The title #\n\nSome text.\n\n## Part two\n* First item\n* Second item\n\n---\n\nEnd."
    assert layout(text) == [
        (0, "The title"),
        (1, "Some text."),
        (2, "Part two"),
        (3, "First item"),
        (4, "Second item"),
        (5, "End."),
    ]


def test_numbered_list_lines() -> None:
    text = "The plan has three steps:\n1. Collect the data.\n2. Clean it.\n3. Publish it."
    assert texts(text, "en") == [
        "The plan has three steps:",
        "1. Collect the data.",
        "2. Clean it.",
        "3. Publish it.",
    ]


def test_bom_crlf_and_nbsp() -> None:
    text = "\ufeffTitle\r\n\r\nFirst\xa0sentence. Second\u00a0one.\r\n"
    got = split(text, "en")
    assert [(s.paragraph, s.text) for s in got] == [
        (0, "Title"),
        (1, "First\xa0sentence."),
        (1, "Second\xa0one."),
    ]
    assert all(text[s.start : s.stop] == s.text for s in got)


def test_empty_and_blank_text() -> None:
    assert split("", "en") == []
    assert split(" \n\n\t\ufeff \r\n", "ru") == []
    assert split_presplit("\n\n") == []


def test_language_code_variants() -> None:
    text = "Gen. Petraeus testified. He left."
    assert texts(text, "EN-us") == texts(text, "en") == ["Gen. Petraeus testified.", "He left."]


def test_long_runs_are_split_in_pieces_without_losing_or_adding_cuts() -> None:
    many = " ".join(f"Mr. Smith saw item {i} at 5 p.m. on Monday." for i in range(3000))
    assert len(split(many, "en")) == 3000
    joined = "сумма 5 тыс. руб. в месяц, т. е. им. Иванова, " * 3000 + "и всё."
    sentences, cut = split_counted(joined, "ru", max_chars=len(joined))
    assert ([s.text for s in sentences], cut) == ([joined.strip()], 0)


@pytest.mark.parametrize("presplit", [False, True])
def test_overlong_runs_are_cut_at_spaces(presplit: bool) -> None:
    """A 1 MB line without a sentence end becomes pieces of at most MAX_CHARS, cut at spaces."""
    words = [f"word{i % 97}" for i in range(150_000)]
    text = "Headline\n\n" + " ".join(words) + "\n\nLast sentence."
    sentences, cut = split_counted(text, "en", presplit=presplit)
    assert cut == 1
    assert max(len(s.text) for s in sentences) <= MAX_CHARS
    body = sentences[1:-1]
    assert len(body) >= len(text) // MAX_CHARS
    assert " ".join(s.text for s in body).split() == words  # no word lost, none cut in two
    assert all(text[s.start : s.stop] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0] + [1] * len(body) + [2]


def test_overlong_run_without_spaces_is_cut_at_the_limit() -> None:
    text = "дом" * 2000 + "\u0301" + "дом" * 1000  # a combining accent near a cut
    sentences, cut = split_counted(text, "ru")
    assert cut == 1
    assert "".join(s.text for s in sentences) == text
    assert all(0 < len(s.text) <= MAX_CHARS for s in sentences)
    assert not any(s.text[0] == "\u0301" for s in sentences)


def test_bullet_lines_are_never_joined() -> None:
    text = "Menu\n  • Newsletter\n  • русский\n  • Support us"
    assert layout(text, "ru") == [(0, "Menu"), (1, "Newsletter"), (2, "русский"), (3, "Support us")]


@st.composite
def _paragraphs(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    lang, cases = draw(st.sampled_from([("ru", RU), ("en", EN)]))
    para = st.lists(st.sampled_from(cases), min_size=3, max_size=6)
    return lang, draw(st.lists(para, min_size=2, max_size=5))


@settings(max_examples=80, deadline=None, database=None)
@given(_paragraphs(), st.integers(50, 100))
def test_hard_wrapping_does_not_change_sentences(
    lang_paragraphs: tuple[str, list[list[str]]], width: int
) -> None:
    """Text wrapped at 50-100 characters splits as it does unwrapped.

    Needs a few wrapped paragraphs and a line that does not end in punctuation: a lone
    two-line block whose first line breaks before a capitalised word looks like a long
    headline over a short paragraph, and lines that all end in periods look like one
    paragraph a line (both read so).
    """
    lang, paragraphs = lang_paragraphs
    flat = "\n\n".join(" ".join(parse(case)[0] for case in para) for para in paragraphs)
    wrapped = "\n\n".join(
        textwrap.fill(para, width, break_on_hyphens=False, break_long_words=False)
        for para in flat.split("\n\n")
    )
    lines = [line.rstrip() for line in wrapped.splitlines() if line.strip()]
    assume(any(line[-1] not in '.!?…;:»"' for line in lines))  # else: one paragraph a line
    want = texts(flat, lang)
    assert [s.replace("\n", " ") for s in texts(wrapped, lang)] == want


# -- presplit --------------------------------------------------------------------------------------


def test_presplit_takes_lines_as_sentences() -> None:
    text = "\ufeffFirst line. Still the first.\r\n  Second line  \n\n\n# Third\nFourth\n"
    assert split_presplit(text) == [
        Sentence(1, 29, "First line. Still the first.", 0),
        Sentence(33, 44, "Second line", 0),
        Sentence(49, 56, "# Third", 1),
        Sentence(57, 63, "Fourth", 1),
    ]


# -- invariants ------------------------------------------------------------------------------------

PLAIN = "aZзЖ1 .,!?…;:«»“”\"'()—\n\t\r\xa0\ufeff"  # no Markdown: only spaces between sentences
MARKUP = PLAIN + "-#*•=_"
WORDS = ["Mr.", "U.S.", "т. е.", "г.", "А.", "No.", "1.", "e.g.", "Он", "The", "...", "\n\n", "\n"]


def _text(alphabet: str) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.text(alphabet, max_size=8), st.sampled_from(WORDS))
    return st.lists(pieces, max_size=30).map(" ".join)


def check_invariants(text: str, got: list[Sentence], markup: str = "") -> None:
    """Offsets are exact, trimmed, ordered, and only whitespace (or markup) lies between."""
    stops = [0, *(s.stop for s in got)]
    for s, prev_stop in zip(got, stops):
        assert s.text == text[s.start : s.stop]
        assert s.text and s.text == s.text.strip() and s.text[0] != "\ufeff" != s.text[-1]
        assert prev_stop <= s.start < s.stop
        gap = text[prev_stop : s.start]
        assert all(c.isspace() or c in "\ufeff\u200b" + markup for c in gap), repr(gap)
    tail = text[stops[-1] :]
    assert all(c.isspace() or c in "\ufeff\u200b" + markup for c in tail), repr(tail)
    paragraphs = [s.paragraph for s in got]
    assert paragraphs == sorted(paragraphs)
    assert all(b - a <= 1 for a, b in zip([0, *paragraphs], paragraphs))


@settings(max_examples=300, deadline=None, database=None)
@given(_text(PLAIN), st.sampled_from(["en", "ru", "de"]))
def test_invariants_plain(text: str, lang: str) -> None:
    check_invariants(text, split(text, lang))


@settings(max_examples=200, deadline=None, database=None)
@given(_text(MARKUP), st.sampled_from(["en", "ru"]))
def test_invariants_with_markup(text: str, lang: str) -> None:
    check_invariants(text, split(text, lang), markup="#*•=_-~")


@settings(max_examples=200, deadline=None, database=None)
@given(_text(MARKUP))
def test_invariants_presplit(text: str) -> None:
    got = split_presplit(text)
    check_invariants(text, got)
    lines = re.split(r"\r\n|[\r\n]", text)
    assert len(got) == sum(any(not c.isspace() and c not in "\ufeff" for c in ln) for ln in lines)
