"""Plain news text the generic-extractor tests build their pages from."""

NEWS_PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old harbour wall, which the winter "
    "storms had breached in three places, at a cost of four million pounds over two years.",
    "Engineers told the council that the wall had been patched so often since the war that "
    "a repair would no longer hold, and that a new wall would last at least a century.",
    "Fishermen who use the harbour welcomed the vote but asked that the work be done in "
    "stages, so that boats could still land their catch while the builders were at work.",
    "The council's leader said the first stage would start in the spring, once the "
    "contractor had been chosen, and that the harbour would stay open throughout the work.",
    "Opposition members questioned the cost, saying the estimate had doubled in a year, "
    "but they voted for the plan after the engineers explained how prices had risen.",
    "A public meeting on the plans will be held at the town hall next month, and the "
    "drawings can be seen at the harbour office on weekdays until the end of June.",
]
