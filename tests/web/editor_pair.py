"""A small EN/RU story pair written for these tests (not copied from anywhere), with a known
split (EN 2 -> RU 2, 3), merge (EN 4, 5 -> RU 5), a dropped English sentence (EN 6) and an
added Russian one (RU 6) in the same place: the case an aligner pairs by mistake."""

EN = """Council backs a bigger transport budget

The city council approved a new budget for public transport on Monday. The plan adds twelve \
bus routes and extends the tram line to the airport. Fares will stay the same until the end of \
next year.

The mayor said the money comes from a regional fund. It will be paid out in three parts. \
Opposition deputies walked out of the session in protest. Construction of the new depot begins \
in April.

The first buses on the new routes will run in September."""

RU = """Совет увеличил бюджет транспорта

В понедельник городской совет одобрил новый бюджет общественного транспорта. План добавляет \
двенадцать автобусных маршрутов. Кроме того, трамвайную линию продлят до аэропорта. Тарифы \
останутся прежними до конца следующего года.

По словам мэра, деньги поступят из регионального фонда тремя частями. В прошлом году городской \
транспорт перевез около восьмидесяти миллионов пассажиров. Строительство нового депо начнется \
в апреле.

Первые автобусы по новым маршрутам пойдут в сентябре."""

DROPPED = "Opposition deputies walked out of the session in protest."
ADDED = "В прошлом году городской транспорт перевез около восьмидесяти миллионов пассажиров."

# A stored document aligned wrongly, one mistake for each correction (see test_editor.py).
WRONG = [
    ("Council backs a bigger transport budget", "Совет увеличил бюджет транспорта"),
    (("The city council approved a new budget for public transport on Monday. The plan adds"
     " twelve bus routes and extends the tram line to the airport."),
     ("В понедельник городской совет одобрил новый бюджет общественного транспорта. План"
     " добавляет двенадцать автобусных маршрутов. Кроме того, трамвайную линию продлят до"
     " аэропорта.")),
    ("Fares will stay the same until the end of next year.",
     ("Тарифы останутся прежними до конца следующего года. Деньги, по словам мэра, поступят"
     " тремя частями.")),
    ("The mayor said the money comes from a regional fund.", "Их выделит региональный фонд."),
    ("It will be paid out in three parts.", ADDED),
    ("Opposition deputies walked out of the session in protest.",
     "Оппозиционные депутаты в знак протеста покинули заседанеи."),
    ("Construction of the new depot begins in April.",
     "Строительство нового депо начнется в апреле."),
]
RIGHT = [
    WRONG[0],
    ("The city council approved a new budget for public transport on Monday.",
     "В понедельник городской совет одобрил новый бюджет общественного транспорта."),
    ("The plan adds twelve bus routes and extends the tram line to the airport.",
     ("План добавляет двенадцать автобусных маршрутов. Кроме того, трамвайную линию продлят до"
     " аэропорта.")),
    ("Fares will stay the same until the end of next year.",
     "Тарифы останутся прежними до конца следующего года."),
    ("The mayor said the money comes from a regional fund. It will be paid out in three parts.",
     "Деньги, по словам мэра, поступят тремя частями. Их выделит региональный фонд."),
    ("Opposition deputies walked out of the session in protest.",
     "Оппозиционные депутаты в знак протеста покинули заседание."),
    WRONG[6],
]
