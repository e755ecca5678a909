"""Story grouping: near-duplicates survive OCR noise and partial copies; shared topics do not merge."""
from __future__ import annotations

import random
from collections import defaultdict


from indexer import cluster
from indexer.cluster import StoryGrouper, containment
from indexer.shingles import shingle_hashes, sketch
from indexer.normalise import normalise_text
from search.engine import Corpus
from search.request import ALL_VARIANTS
from tests.conftest import wire_story_paragraphs

STORY = "攀高逐"


def story_text(seed_pages) -> str:
    """The body of the wire story as printed on page 001, normalised."""
    return normalise_text("\n".join(wire_story_paragraphs(seed_pages)))


def noisy(text: str, rate: float, seed: int) -> str:
    """OCR-like noise: a share of characters swapped for look-alikes, punctuation width flipped."""
    rng = random.Random(seed)
    swaps = {"钍": "钎", "态": "氦", "0": "o", "新": "亲", "业": "止", "，": ",", ",": "，"}
    out = []
    for char in text:
        if rng.random() < rate:
            out.append(swaps.get(char, "口"))
        else:
            out.append(char)
    return "".join(out)


def test_noisy_variants_and_a_second_half_join_one_story(seed_pages):
    text = story_text(seed_pages)
    grouper = StoryGrouper()
    first = grouper.assign("a#0", sketch(text))
    assert grouper.assign("b#0", sketch(noisy(text, 0.03, 1))) == first
    assert grouper.assign("c#0", sketch(noisy(text[len(text) // 2:], 0.02, 2))) == first


def test_different_stories_sharing_a_topic_or_a_phrase_stay_apart(seed_pages):
    text = story_text(seed_pages)
    other = normalise_text(seed_pages["003_d03bbf471f6134ca"].split("## 扎根乡土")[1])
    grouper = StoryGrouper()
    first = grouper.assign("a#0", sketch(text))
    # Another article quoting one sentence of the story is not the story.
    quoting = other[:1500] + text[200:260]
    assert grouper.assign("b#0", sketch(quoting)) != first
    jaccard, contained = containment(sketch(text), sketch(quoting))
    assert contained < 0.5


def test_containment_of_short_excerpts_is_exact_and_of_noisy_ones_near_the_truth(seed_pages):
    text = story_text(seed_pages)
    whole = sketch(text)
    tenth = len(text) // 10
    assert [containment(sketch(text[at:at + tenth]), whole)[1] for at in range(0, 9 * tenth, tenth)] == [1.0] * 9
    errors = []
    for seed in range(40):
        altered = noisy(text[300:300 + 2 * tenth], 0.05, seed)
        shingles = set(shingle_hashes(altered).tolist())
        exact = len(shingles & set(shingle_hashes(text).tolist())) / len(shingles)
        errors.append(abs(containment(sketch(altered), whole)[1] - exact))
    assert sum(errors) / len(errors) < 0.06


def test_story_ids_are_stable_and_grouping_is_order_independent_for_the_founder(seed_pages):
    text = story_text(seed_pages)
    grouper = StoryGrouper()
    founder = grouper.assign("x#0", sketch(text))
    for i in range(5):
        assert grouper.assign(f"v{i}#0", sketch(noisy(text, 0.02, i))) == founder
    grouper.remove("x#0")
    assert grouper.assign("late#0", sketch(noisy(text, 0.02, 9))) == founder


def test_short_texts_never_group():
    grouper = StoryGrouper()
    first = grouper.assign("a#0", sketch("新华社记者摄"))
    assert grouper.assign("b#0", sketch("新华社记者摄")) != first


def seed_groups(seed_index) -> dict[str, list[tuple[str, str]]]:
    view = Corpus(seed_index).view()
    groups = defaultdict(list)
    for docnum in view.scope(ALL_VARIANTS).tolist():
        header = view.header(docnum)
        groups[header.story].append((header.source, header.title))
    return groups


def test_seeds_group_the_wire_story_across_all_five_pages_and_nothing_else(seed_index):
    groups = seed_groups(seed_index)
    story = [g for g in groups.values() if any(t.startswith(STORY) for _, t in g)]
    assert len(story) == 1
    members = story[0]
    assert sorted({s for s, _ in members}) == ["000_b412ed2ff225a7db", "001_5417d37bc9da2a03",
                                               "002_1193bf27c877aa1f", "003_d03bbf471f6134ca",
                                               "004_f23d1930071a8f29"]
    assert all(t.startswith(STORY) or not t for _, t in members)


def test_seed_articles_printed_once_are_groups_of_their_own(seed_index):
    groups = seed_groups(seed_index)
    singles = [g for g in groups.values() if not any(t.startswith(STORY) for _, t in g)]
    for group in singles:
        assert len({s for s, _ in group}) == 1, group
    titles = {t for g in singles for _, t in g}
    assert {"我国货物贸易进出口 连续10个月保持增长", "为什么要全面实施“人工智能+”行动"} <= titles


def test_a_head_and_a_tail_printed_first_are_merged_by_a_whole_copy(seed_pages):
    text = story_text(seed_pages)
    half = len(text) // 2
    grouper = StoryGrouper()
    head = grouper.assign("h#0", sketch(noisy(text[:half], 0.02, 1), "head"))
    tail = grouper.assign("t#0", sketch(noisy(text[half:], 0.02, 2), "tail"))
    assert head != tail  # a head and a tail share no line: nothing links them yet
    whole = grouper.assign("w#0", sketch(noisy(text, 0.02, 3)))
    assert whole in (head, tail)
    assert grouper.resolve(head) == grouper.resolve(tail) == whole
    assert grouper.stories() == {whole}
    assert grouper.assign("t#1", sketch(noisy(text[half:], 0.02, 4), "tail")) == whole


def test_a_variant_holding_two_articles_does_not_merge_their_stories(seed_pages):
    text = story_text(seed_pages)
    other = normalise_text(seed_pages["003_d03bbf471f6134ca"].split("## 扎根乡土")[1])[:len(text)]
    grouper = StoryGrouper()
    first = grouper.assign("a#0", sketch(text))
    assert grouper.assign("a#1", sketch(noisy(text, 0.02, 1))) == first
    second = grouper.assign("b#0", sketch(other))
    assert grouper.assign("b#1", sketch(noisy(other, 0.02, 2))) == second != first
    glued = grouper.assign("ab#0", sketch(text + other))  # a segmentation merge of the two
    assert glued in (first, second)
    assert grouper.resolve(first) != grouper.resolve(second)
    assert grouper.aliases == {}


def test_the_sample_index_keeps_finding_variants_after_folds_and_removals(monkeypatch):
    monkeypatch.setattr(cluster, "FOLD_ENTRIES", 1 << 12)  # fold often: the texts below hold 10^5 samples
    rng = random.Random(7)
    texts = ["".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(300)) for _ in range(1500)]
    grouper = StoryGrouper()
    stories = [grouper.assign(f"p{i}#0", sketch(t)) for i, t in enumerate(texts)]
    assert len(set(stories)) == len(texts)  # unrelated texts never group
    assert len(grouper.index.keys) > 0  # enough entries were added to fold them into the sorted arrays
    for i in (3, 700, 1499):
        assert grouper.assign(f"q{i}#0", sketch(noisy(texts[i], 0.02, i))) == stories[i]
    grouper.remove("p3#0")
    grouper.remove("q3#0")
    grouper.index.fold(grouper.live)
    assert grouper.assign("r3#0", sketch(texts[3])) != stories[3]
    assert grouper.assign("r700#0", sketch(texts[700])) == stories[700]


def lines_of(text: str, count: int) -> list[str]:
    """A text cut into `count` lines of about equal length, as paragraphs of a page."""
    size = -(-len(text) // count)
    return [text[i:i + size] for i in range(0, len(text), size)]


def two_articles(seed_pages) -> tuple[str, str]:
    text = story_text(seed_pages)
    other = normalise_text(seed_pages["003_d03bbf471f6134ca"].split("## 扎根乡土")[1])[:len(text)]
    return text, other


def test_a_variant_holding_two_printed_articles_is_split_where_one_ends(seed_pages):
    first, second = two_articles(seed_pages)
    grouper = StoryGrouper()
    for page, text in (("a", first), ("b", second), ("c", noisy(first, 0.02, 1)), ("d", noisy(second, 0.02, 2))):
        grouper.assign(f"{page}@1#0", sketch(text))
    lines = lines_of(first, 6) + lines_of(second, 5)
    glued = "".join(lines)
    assert grouper.split_point(sketch(glued), lambda: [sketch(line) for line in lines]) == 6
    # One article printed whole matches one story: nothing to split.
    whole = lines_of(noisy(first, 0.02, 3), 6)
    assert grouper.split_point(sketch("".join(whole)), lambda: [sketch(line) for line in whole]) is None


def test_an_article_cut_in_two_on_every_page_is_merged_by_a_whole_copy_not_split(seed_pages):
    first, _ = two_articles(seed_pages)
    half = len(first) // 2
    grouper = StoryGrouper()
    for page, seed in (("a", 1), ("b", 2)):  # segmentation cut the article at the same place twice
        top = grouper.assign(f"{page}@1#3", sketch(noisy(first[:half], 0.02, seed)))
        bottom = grouper.assign(f"{page}@1#4", sketch(noisy(first[half:], 0.02, seed)))
    assert top != bottom
    lines = lines_of(first, 8)
    assert grouper.split_point(sketch(first), lambda: [sketch(line) for line in lines]) is None
    whole = grouper.assign("c@1#0", sketch(first))
    assert grouper.resolve(top) == grouper.resolve(bottom) == whole


def test_halves_printed_side_by_side_once_are_not_split_out_of_a_whole_printing(seed_pages):
    # One page cut the article in two at a sub-head; two others printed one half each, alone.
    # A whole printing matches both halves' stories: it joins them, it holds no second article.
    first, _ = two_articles(seed_pages)
    half = len(first) // 2
    grouper = StoryGrouper()
    grouper.assign("a@1#3", sketch(noisy(first[:half], 0.02, 1)))
    grouper.assign("a@1#4", sketch(noisy(first[half:], 0.02, 1)))
    grouper.assign("b@1#0", sketch(noisy(first[:half], 0.02, 2)))
    grouper.assign("c@1#2", sketch(noisy(first[half:], 0.02, 3)))
    lines = lines_of(first, 8)
    assert grouper.split_point(sketch(first), lambda: [sketch(line) for line in lines]) is None


def test_an_article_printed_elsewhere_is_split_off_an_article_printed_nowhere_else(seed_pages):
    # The first article was printed twice on its own; a page glued the second, printed nowhere else,
    # under it. The part that matches nothing indexed is cut off; a continued story is never cut.
    first, second = two_articles(seed_pages)
    grouper = StoryGrouper()
    grouper.assign("a@1#0", sketch(first))
    grouper.assign("b@1#0", sketch(noisy(first, 0.02, 1)))
    lines = lines_of(noisy(first, 0.02, 2), 6) + lines_of(second, 5)
    assert grouper.split_point(sketch("".join(lines)), lambda: [sketch(line) for line in lines]) == 6
    half = len(first) // 2
    continued = StoryGrouper()
    continued.assign("h@1#0", sketch(first[:half], "head"))
    whole = lines_of(noisy(first, 0.02, 3), 6)
    assert continued.split_point(sketch("".join(whole)), lambda: [sketch(line) for line in whole]) is None


def test_a_story_printed_more_often_than_a_sample_has_postings_stays_one_story(monkeypatch):
    # Past MAX_POSTINGS printings every sample of the story is frequent; its latest printings still find it.
    from indexer import sample_index
    monkeypatch.setattr(sample_index, "MAX_POSTINGS", 16)
    rng = random.Random(3)
    text = "".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(400))
    grouper = StoryGrouper()
    stories = {grouper.assign(f"p{i}#0", sketch(noisy(text, 0.02, i))) for i in range(60)}
    assert len(stories) == 1


def test_continued_parts_join_unless_each_story_holds_a_fuller_printing(seed_pages):
    text = story_text(seed_pages)
    half = len(text) // 2
    head, tail = sketch(text[:half], "head"), sketch(text[half:], "tail")
    grouper = StoryGrouper()
    head_story, tail_story = grouper.assign("p1#0", head), grouper.assign("p4#0", tail)
    assert head_story != tail_story  # sharing no text, and no whole printing to link them
    assert grouper.join_continued(head_story, head.size, tail_story, tail.size)
    assert grouper.resolve(head_story) == grouper.resolve(tail_story)
    assert not grouper.join_continued(head_story, head.size, tail_story, tail.size)  # one story already
    # Two articles, each printed whole elsewhere: jump lines that happen to agree do not join them.
    apart = StoryGrouper()
    first, second = apart.assign("p1#0", head), apart.assign("p4#0", tail)
    apart.add("q1#0", first, sketch(text))  # recorded with the story decided: each holds a whole printing
    apart.add("q4#0", second, sketch(text + text[:half]))
    assert not apart.join_continued(first, head.size, second, tail.size)
    assert apart.resolve(first) != apart.resolve(second)
