"""Which SQuAD dev articles the reader may learn from; every other article is held out.

SQuAD's train set does not reach these machines, so the reader learns from part of the dev
set, split by article. The 21 training articles are those holding at most two of the 150
hand-translated benchmark questions (bench/data/squad_translated.*.jsonl): they carry 3,065
of the 9,380 v1.1 questions and 24 of the translated ones, which the benchmark then leaves
out (bench/lib/reader_articles.py reads this list from the reader's card). Reported SQuAD
figures are on the other 27 articles only.
"""

from __future__ import annotations

TRAINING_ARTICLES = (
    "Victoria_(Australia)",
    "Huguenot",
    "Packet_switching",
    "Black_Death",
    "Geology",
    "Newcastle_upon_Tyne",
    "Pharmacy",
    "Civil_disobedience",
    "Construction",
    "Private_school",
    "Harvard_University",
    "Jacksonville,_Florida",
    "Doctor_Who",
    "University_of_Chicago",
    "Yuan_dynasty",
    "Intergovernmental_Panel_on_Climate_Change",
    "Rhine",
    "Imperialism",
    "United_Methodist_Church",
    "French_and_Indian_War",
    "Force",
)
