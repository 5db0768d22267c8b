"""Japanese keyword search over the directory, on whatever search backend Wagtail is given.

Two indexes sit side by side in each listing's search entry (``ListingPage.search_text`` and
``search_ngrams``): the analyser's terms of what is written (written forms, normalised forms,
readings: 子供 finds 子ども, しょくどう finds 食堂) and the two- and three-character n-grams of
the kana-folded text and its kana readings, as Groonga and Elasticsearch's CJK analysers index
it: any two or more characters in a row find a listing, inside any compound, whichever kana
script or width was typed. Up to three characters are one n-gram, an exact substring: キビル
does not find さとうきび although キビ is there; longer words need all their overlapping
three-character windows (``tsunagu.text.ngram_query``).

A typed word matches when either index finds it, or finds one of the words the town's
vocabulary gives for it (``synonyms``); every typed word must match (``query``). Results
named for the words come first, then the backend's score for what was typed, then listings
found only through the vocabulary (``ranking``, ``resources.selectors``).
"""
