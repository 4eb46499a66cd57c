"""Tests of the person / agency extractor (search/entities/).

Sentences are written in the style of Vietnamese news leads; each test is named by the
behaviour it proves. The last test scores the extractor on the hand-annotated dev set.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.entities import Entities, canonical_agency, extract_entities
from search.segment import segment

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "entities_dev.jsonl"

SEED_TITLE = "Bắt nghi phạm giết người ở Bảo Lâm"
SEED_BODY = (
    "(LĐ online) - Ngày 26/12, Công an tỉnh Lâm Đồng cho biết đã bắt Phạm S. (SN 1980, trú tại "
    "xã Lộc An, huyện Bảo Lâm) để điều tra hành vi giết người.\n"
    "Theo Đại tá Nguyễn Quang Thống, Phó Giám đốc Công an tỉnh, ngay sau khi nhận tin báo, "
    "Công an tỉnh đã phối hợp với UBND tỉnh Lâm Đồng, Ủy ban MTTQ Việt Nam tỉnh truy bắt đối tượng. "
    "Ông Thống cho biết Bộ Công an đã gửi thư khen.\n"
    "THỤY TRANG"
)


def ents(title: str, body: str, author: str | None = None) -> Entities:
    return extract_entities(title, body, author)


# ---------------------------------------------------------------- seed / interface

def test_seed_style_article_gives_persons_and_agencies():
    e = ents(SEED_TITLE, SEED_BODY, author="THỤY TRANG")
    assert isinstance(e, Entities)
    assert e.persons == ["Phạm S", "Nguyễn Quang Thống"]
    for a in ("Bộ Công an", "Ủy ban nhân dân tỉnh Lâm Đồng", "Công an tỉnh Lâm Đồng",
              "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lâm Đồng"):
        assert a in e.agencies
    assert len(e.agencies) == len(set(e.agencies))


def test_given_tokens_are_used_and_give_the_same_result():
    tokens = [segment(SEED_TITLE)] + [segment(p) for p in SEED_BODY.split("\n") if p.strip()]
    assert extract_entities(SEED_TITLE, SEED_BODY, "THỤY TRANG", tokens=tokens) == \
        ents(SEED_TITLE, SEED_BODY, "THỤY TRANG")


def test_entities_is_frozen():
    e = ents("", "")
    with pytest.raises(Exception):
        e.persons = ["x"]  # type: ignore[misc]


# ---------------------------------------------------------------- persons

def test_titles_before_names_are_stripped():
    e = ents("", "Thượng tá Lê Văn Hùng, Phó Trưởng Công an huyện Bảo Lâm, và PGS.TS Trần Văn Thuấn "
                 "cùng Thủ tướng Nguyễn Xuân Phúc dự họp. Bác sĩ Hoàng Thị Lan cho biết thêm.")
    assert e.persons == ["Lê Văn Hùng", "Trần Văn Thuấn", "Nguyễn Xuân Phúc", "Hoàng Thị Lan"]


def test_list_of_names_with_honorifics():
    e = ents("", "Tham dự có ông Nguyễn Văn An, ông Trần Minh Bảo và bà Lê Thị Cúc.")
    assert e.persons == ["Nguyễn Văn An", "Trần Minh Bảo", "Lê Thị Cúc"]


def test_name_at_sentence_start_without_title():
    e = ents("", "Trời mưa to. Nguyễn Văn Hải điều khiển xe máy đi trên quốc lộ 20.")
    assert e.persons == ["Nguyễn Văn Hải"]


def test_sentence_opener_is_not_part_of_a_name():
    e = ents("", "Theo Nguyễn Thị Mai, vụ việc xảy ra lúc 10 giờ. Sau khi Lê Văn Tám bỏ đi, bà Mai báo công an.")
    assert e.persons == ["Nguyễn Thị Mai", "Lê Văn Tám"]


def test_short_later_mention_resolves_to_the_full_name():
    e = ents("", "Đại tá Nguyễn Quang Thống cho biết vụ án đang được điều tra. Theo ông Thống, "
                 "đối tượng đã bỏ trốn. Ông Thống nói thêm rằng lực lượng đang truy tìm.")
    assert e.persons == ["Nguyễn Quang Thống"]


def test_names_in_photo_captions_are_found():
    e = ents("", "Đối tượng Trần Quốc Dũng tại cơ quan công an. Ảnh: Công an xã Gio Linh\n"
                 "Bà Nguyễn Thị Hoa (bên phải) nhận quà từ đoàn công tác. Ảnh: Minh Hoàng")
    assert "Trần Quốc Dũng" in e.persons and "Nguyễn Thị Hoa" in e.persons
    assert "Minh Hoàng" not in e.persons  # a photo credit


def test_abbreviated_names_are_kept_as_written():
    e = ents("", "Công an đã tạm giữ Nguyễn Văn A. (SN 1990) và Phạm S. để điều tra. "
                 "Nạn nhân là chị Nguyễn T.X (25 tuổi).")
    assert e.persons == ["Nguyễn Văn A", "Phạm S", "Nguyễn T.X"]


def test_initials_alone_are_not_persons():
    e = ents("", "Anh M. và chị N.T.Y.V đã được đưa đi cấp cứu.")
    assert e.persons == []


def test_foreign_names():
    e = ents("Mỹ đổi giọng", "Tổng thống Mỹ Donald Trump gặp Thủ tướng Hàn Quốc Moon Jae-in. "
                             "Ông Trump cho biết HLV Jose Mourinho của Manchester United là bạn cũ.")
    assert e.persons == ["Donald Trump", "Moon Jae-in", "Jose Mourinho"]
    assert "Manchester United" in e.agencies


def test_places_and_streets_are_not_persons():
    e = ents("", "Vụ tai nạn xảy ra trên đường Trần Hưng Đạo, phường Lê Lợi, gần chợ Bến Thành, "
                 "tỉnh Hà Nam. Học sinh Trường THPT Nguyễn Huệ được nghỉ học.")
    assert e.persons == []
    assert "Trường THPT Nguyễn Huệ" in e.agencies


def test_all_caps_headline_gives_no_garbage():
    e = ents("ĐẠI TÁ NGUYỄN QUANG THỐNG: 'KHÔNG ĐỂ LỌT TỘI PHẠM'",
             "Đại tá Nguyễn Quang Thống, Phó Giám đốc Công an tỉnh Lâm Đồng trả lời phỏng vấn.")
    assert e.persons == ["Nguyễn Quang Thống"]
    assert e.agencies == ["Công an tỉnh Lâm Đồng"]


def test_author_and_bylines_are_not_persons():
    body = ("Ông Nguyễn Văn Bình, Giám đốc Sở Y tế tỉnh Nghệ An, cho biết bệnh nhân đã ổn định.\n"
            "Theo Trung Sơn (VNE)")
    e = ents("", body, author="Hoàng Long")
    assert e.persons == ["Nguyễn Văn Bình"]
    e2 = ents("", "Ông Nguyễn Văn Bình cho biết.\nHoàng Long", author="Hoàng Long")
    assert e2.persons == ["Nguyễn Văn Bình"]
    e3 = ents("", "Ông Nguyễn Văn Bình cho biết. Bà Lê Thị Hà đồng ý.\nTHỤY TRANG")
    assert e3.persons == ["Nguyễn Văn Bình", "Lê Thị Hà"]


def test_lone_given_name_after_honorific():
    e = ents("", "“Gói vay rất tốt”, anh Hải, 35 tuổi, một khách hàng chia sẻ.")
    assert e.persons == ["Hải"]


# ---------------------------------------------------------------- agencies

def test_abbreviations_are_expanded():
    e = ents("", "HĐND TP.HCM, TAND tỉnh Bến Tre, VKSND TP Đà Nẵng và Bộ GD-ĐT đã có ý kiến.")
    assert e.agencies == ["Hội đồng nhân dân thành phố Hồ Chí Minh", "Tòa án nhân dân tỉnh Bến Tre",
                          "Viện kiểm sát nhân dân thành phố Đà Nẵng", "Bộ Giáo dục và Đào tạo"]


def test_bare_body_is_completed_with_the_articles_province():
    e = ents("Đua xe trái phép ở Bình Thuận",
             "UBND tỉnh Bình Thuận đã có văn bản. Chủ tịch UBND tỉnh yêu cầu Công an tỉnh xử lý nghiêm.")
    assert e.agencies == ["Ủy ban nhân dân tỉnh Bình Thuận", "Công an tỉnh Bình Thuận"]


def test_bare_body_is_dropped_when_the_province_is_ambiguous():
    e = ents("", "Công an tỉnh Nghệ An và Công an tỉnh Hà Tĩnh phối hợp. Công an tỉnh cho biết thêm.")
    assert e.agencies == ["Công an tỉnh Nghệ An", "Công an tỉnh Hà Tĩnh"]


def test_sub_unit_is_written_with_its_parent():
    e = ents("", "Phòng Cảnh sát hình sự Công an tỉnh Bến Tre đã bắt Lê Văn Hòa. "
                 "Khoa sơ sinh Bệnh viện Phụ sản Hải Phòng tiếp nhận bệnh nhi.")
    assert "Phòng Cảnh sát hình sự Công an tỉnh Bến Tre" in e.agencies
    assert "Khoa sơ sinh Bệnh viện Phụ sản Hải Phòng" in e.agencies


def test_organisation_inside_a_role_phrase_and_person_after_it():
    e = ents("", "Chủ tịch UBND TP Hà Nội Chu Ngọc Anh đã ban hành công điện gửi Sở Y tế Hà Nội.")
    assert e.persons == ["Chu Ngọc Anh"]
    assert e.agencies == ["Ủy ban nhân dân thành phố Hà Nội", "Sở Y tế thành phố Hà Nội"]


def test_fixed_names_and_governments():
    e = ents("", "Quốc hội, Chính phủ và Nhà Trắng cùng Liên Hợp Quốc và Chính phủ Myanmar.")
    assert e.agencies == ["Quốc hội", "Chính phủ", "Nhà Trắng", "Liên Hợp Quốc", "Chính phủ Myanmar"]


def test_management_teams_and_places_are_not_agencies():
    e = ents("", "Ban Giám hiệu Trường Tiểu học Hương Lâm đã đến thăm. Đoàn đến Hà Nội và TP.HCM.")
    assert e.agencies == ["Trường Tiểu học Hương Lâm"]


def test_canonical_agency_maps_surface_forms_to_the_facet_value():
    assert canonical_agency("UBND tỉnh Lâm Đồng") == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert canonical_agency("Uỷ ban nhân dân tỉnh Lâm Đồng") == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert canonical_agency("công an tỉnh Lâm Đồng") == "Công an tỉnh Lâm Đồng"
    assert canonical_agency("Công an Lâm Đồng") == "Công an tỉnh Lâm Đồng"
    assert canonical_agency("UBND TP.HCM") == "Ủy ban nhân dân thành phố Hồ Chí Minh"
    assert canonical_agency("UBND TPHCM") == "Ủy ban nhân dân thành phố Hồ Chí Minh"
    assert canonical_agency("Ủy ban MTTQ tỉnh Lâm Đồng") == "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lâm Đồng"
    assert canonical_agency("Toà án nhân dân tối cao") == "Tòa án nhân dân tối cao"
    assert canonical_agency("Bộ TN-MT") == "Bộ Tài nguyên và Môi trường"
    assert canonical_agency("Sở Tài nguyên - Môi trường TP.HCM") == \
        "Sở Tài nguyên và Môi trường thành phố Hồ Chí Minh"
    assert canonical_agency("Man Utd") == canonical_agency("Manchester United")
    # idempotent on its own output
    for v in ("Ủy ban nhân dân tỉnh Lâm Đồng", "Bộ Công an", "Sở Y tế thành phố Hà Nội"):
        assert canonical_agency(v) == v


def test_extracted_values_are_canonical():
    e = ents(SEED_TITLE, SEED_BODY)
    for a in e.agencies:
        assert canonical_agency(a) == a


# ---------------------------------------------------------------- robustness

@pytest.mark.parametrize("title,body", [
    ("", ""),
    ("   ", "\n\n\n"),
    ("ĐẠI TÁ NGUYỄN QUANG THỐNG NÓI VỀ VỤ ÁN", "CÔNG AN TỈNH LÂM ĐỒNG\nTHỤY TRANG"),
    ('<p class="x">Ông <b>Nguyễn Văn A</b></p>', 'src="abc.jpg"> &nbsp; &amp; <img/>'),
    ("\x00\x01\x02", "Nguyễn\x07 Văn B\x1b và \u200b\ufeff"),
    ("a" * 1000, "." * 1000),
])
def test_never_raises(title, body):
    e = extract_entities(title, body)
    assert isinstance(e.persons, list) and isinstance(e.agencies, list)


def test_odd_arguments_do_not_raise():
    assert extract_entities(None, None) == Entities([], [])  # type: ignore[arg-type]
    assert extract_entities("x", "y", tokens=[[None, 1, "A"]]) == Entities([], [])  # type: ignore[list-item]
    assert canonical_agency("") == ""


def test_huge_input_is_bounded():
    body = ("Ông Nguyễn Văn An, Chủ tịch UBND tỉnh Lâm Đồng cho biết. " * 1000 + "\n") * 90  # ~5 MB
    e = extract_entities("T", body)
    assert e.persons == ["Nguyễn Văn An"]
    assert e.agencies == ["Ủy ban nhân dân tỉnh Lâm Đồng"]


# ---------------------------------------------------------------- dev-set quality

def test_dev_set_f1_meets_the_targets():
    if not DEV.exists():
        pytest.skip(f"dev set {DEV} is missing: cannot measure quality")
    sys.path.insert(0, str(ROOT))
    from bench.entities_bench import evaluate, load_dev
    recs = load_dev(DEV)
    if not recs:
        pytest.skip("dev set is empty")
    res = evaluate(recs)
    # The rules were written against these articles (0.907 by the rules alone); the tagger's
    # extra names cost a little here and gain on the unseen dev split (test below).
    assert res["persons"]["f1"] >= 0.88, res["persons"]
    assert res["agencies"]["f1"] >= 0.80, res["agencies"]


# ---------------------------------------------------------------- the seed, as shipped

SEED_FILE = ROOT / "corpus" / "lam-dong" / "bo-cong-an-trao-tang-87-ky-niem-chuong.txt"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "000_a8fe829ba7fa9bb7.txt"


def test_the_seed_ships_unchanged_and_gives_its_facets():
    from search.corpus import read_corpus
    if SHARED_SEED.exists():
        assert SEED_FILE.read_bytes() == SHARED_SEED.read_bytes()
    [article] = list(read_corpus([SEED_FILE]))
    assert (article.date, article.source, article.author) == ("2022-12-26", "LĐ online", "THỤY TRANG")
    e = extract_entities(article.title, article.body, article.author)
    assert e.persons == ["Phạm S", "Nguyễn Quang Thống"]  # the byline is no person
    for a in ("Bộ Công an", "Ủy ban nhân dân tỉnh Lâm Đồng", "Công an tỉnh Lâm Đồng",
              "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lâm Đồng"):
        assert a in e.agencies


# ---------------------------------------------------------------- the trained tagger

SPANS = ROOT / "tests" / "data" / "entities" / "spans.jsonl"


def test_line_up_players_are_persons():
    body = ("Đội hình xuất phát Roma: Svilar; Mancini, Ndicka, Hermoso; Celik, Cristante, Koné, "
            "Tsimikas; Pellegrini, Soulé; Dovbyk.")
    persons = set(ents("Roma thắng đậm", body).persons)
    assert {"Svilar", "Ndicka", "Tsimikas", "Dovbyk"} <= persons


def test_a_list_of_countries_is_no_line_up():
    body = "Các đội dự giải gồm Thái Lan, Malaysia, Indonesia, Singapore, Philippines và Việt Nam."
    assert not {"Malaysia", "Singapore", "Philippines"} & set(ents("Giải đấu", body).persons)


def test_foreign_name_without_a_cue_word():
    body = "Trong thư, James Comey khuyên nhân viên FBI không tìm hiểu về quyết định của Donald Trump."
    assert {"James Comey", "Donald Trump"} <= set(ents("Thư từ biệt", body).persons)


def test_committed_model_reproduces_from_the_training_command(tmp_path):
    import pycrfsuite

    from search.entities import tagger
    from search.train_entities import paragraphs
    out = tmp_path / "persons.crfsuite"
    done = subprocess.run([sys.executable, "-m", "search.train_entities", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    retrained = pycrfsuite.Tagger()
    retrained.open(str(out))
    committed = pycrfsuite.Tagger()
    committed.open(str(tagger.MODEL))
    dev = [a for a in map(json.loads, SPANS.open(encoding="utf-8")) if a["split"] == "dev"][:10]
    for article in dev:
        for text, _ in paragraphs(article):
            words = segment(text)
            assert tagger.person_spans(text, words, retrained) == \
                tagger.person_spans(text, words, committed)


def test_tagger_reading_only_around_capitals_finds_what_it_finds_reading_everything():
    from search.entities import tagger
    from search.train_entities import paragraphs
    dev = [a for a in map(json.loads, SPANS.open(encoding="utf-8")) if a["split"] == "dev"]
    found = 0
    for article in dev:
        for text, _ in paragraphs(article):
            words = segment(text)
            spans = tagger.person_spans(text, words, min_prob=0.8)
            assert spans == tagger.person_spans(text, words, min_prob=0.8, whole=True), text
            found += len(spans)
    assert found > 100


def _lenient_f1(kind: str, label: str, articles) -> float:
    tp = fp = fn = 0
    norm = (lambda x: x) if kind == "persons" else canonical_agency
    for a in articles:
        gold: dict[str, set] = {}
        for s in a["spans"]:
            if s["label"] == label:
                gold.setdefault(norm(s["canonical"]), set()).update({norm(s["canonical"]), norm(s["text"])})
        e = extract_entities(a["title"], a["body"])
        found = set()
        for value in {norm(v) for v in getattr(e, kind)}:
            hit = next((g for g, forms in gold.items() if value in forms), None)
            if hit is None:
                fp += 1
            else:
                found.add(hit)
        tp += len(found)
        fn += len(set(gold) - found)
    return 2 * tp / max(1, 2 * tp + fp + fn)


def test_dev_split_scores_hold_a_floor():
    dev = [a for a in map(json.loads, SPANS.open(encoding="utf-8")) if a["split"] == "dev"]
    assert len(dev) >= 50
    assert _lenient_f1("persons", "PER", dev) >= 0.88   # 0.925 when written (0.914 before corpus contexts)
    assert _lenient_f1("agencies", "ORG", dev) >= 0.72  # 0.762 when written (0.709 in session 20)


def test_parties_and_governments_named_after_their_head_word():
    e = ents("Bầu cử Anh", "Đảng Bảo thủ của Thủ tướng Theresa May mất đa số, trong khi Đảng Lao "
             "động giành thêm ghế.")
    assert {"Đảng Bảo thủ", "Đảng Lao động"} <= set(e.agencies) and e.persons == ["Theresa May"]
    assert "Chính phủ Myanmar" in ents("Myanmar", "Chính phủ Myanmar cho biết sẽ hợp tác.").agencies


def test_second_team_of_a_line_up_and_a_glued_byline():
    body = ("Đội hình dự kiến: MU: De Gea; Valencia, Bailly, Smalling, Rojo; Pogba, Herrera; Mata, "
            "Mkhitaryan, Martial; Ibrahimovic Watford: Gomes, Cathcart, Kaboul, Prodl, Holebas, "
            "Capoue, Behrami, Cleverley, Niang, Deeney, Zarate CTV Bảo Long/VOV.VN")
    persons = set(ents("MU gặp Watford", body).persons)
    assert {"Ibrahimovic", "Gomes", "Cathcart", "Zarate"} <= persons
    assert not {"Ibrahimovic Watford", "Zarate CTV Bảo Long"} & persons


def test_lower_case_government_and_party_before_a_name():
    e = ents("Mỹ", "Theo chính phủ Mỹ, đảng Cộng hòa đã đồng ý với kế hoạch.")
    assert {"Chính phủ Mỹ", "Đảng Cộng hòa"} <= set(e.agencies)


def test_bare_local_body_is_completed_with_the_articles_commune_or_district():
    body = ("Bà Lê Thị A trú tại xã Tân Lộc, huyện Bảo Lâm. Sau đó, công an xã đã có mặt. "
            "Công an huyện đã vào cuộc.")
    assert ents("Tin", body).agencies == ["Công an xã Tân Lộc", "Công an huyện Bảo Lâm"]
    # two communes named as often: which one is meant is not clear, nothing is guessed
    assert ents("Tin", "Ông B ở xã Tân Lộc và xã Lộc An. Công an xã đã có mặt.").agencies == []


def test_hard_cases_of_unseen_articles():
    # stage and given names with no title before them
    assert "Mỹ Tâm" in ents("Showbiz", "Mỹ Tâm vừa ra mắt MV mới tại Hà Nội.").persons
    assert {"Quang Hải", "Công Phượng"} <= set(
        ents("Bóng đá", "Quang Hải ghi bàn, Công Phượng kiến tạo giúp đội nhà thắng.").persons)
    # a school named after a person is an agency, not a person
    e = ents("Giáo dục", "Trường THPT Nguyễn Huệ đạt giải nhất, UBND TP Đà Nẵng khen thưởng.")
    assert e.persons == [] and "Trường THPT Nguyễn Huệ" in e.agencies
    # "Bộ" plus a number is no ministry
    assert ents("T", "Bộ 4 sẽ phối hợp với Công ty TNHH Minh Phát.").agencies == ["Công ty TNHH Minh Phát"]


def test_national_sides_and_federations_named_by_their_country():
    body = ("Sau trận, tuyển Việt Nam trở về nước; đội tuyển nữ Thái Lan và ĐT futsal Iraq "
            "đã lên đường. LĐBĐ Malaysia ra điều lệ.")
    assert ents("Bóng đá", body).agencies == [
        "Đội tuyển Việt Nam", "Đội tuyển nữ Thái Lan", "Đội tuyển futsal Iraq", "Liên đoàn Bóng đá Malaysia"]
    # recruiting is not a side, nor is a country followed by more of a name
    assert ents("Tin", "Công ty trúng tuyển hồ sơ tại Hà Nội.").agencies == []
    assert ents("Tin", "Vé của tuyển Việt Nam Airlines tăng giá.").agencies == []


def test_a_place_that_begins_with_a_function_word():
    assert ents("Tin", "UBND thị xã Ba Đồn họp.").agencies == ["Ủy ban nhân dân thị xã Ba Đồn"]


def test_names_the_corpus_writes_after_place_and_product_words_are_not_persons():
    # "Lương Văn Can" is a man, and in the corpus mostly a market and a street
    e = ents("", "Vụ việc xảy ra tại chợ Lương Văn Can, phường Máy Tơ. Ông Phạm Minh Đức cho biết "
                 "đã báo công an. Bệnh nhân được chuyển về tỉnh Hòa Bình. Chiếc Kawasaki Ninja "
                 "được trưng bày.")
    assert e.persons == ["Phạm Minh Đức"]


def test_corpus_contexts_say_what_kind_of_word_precedes_a_name():
    from search.entities.contexts import KINDS, capital_runs, count, table
    from search.entities.lexicon import _key

    text = "Ông Nguyễn Văn Linh nói. Ông Nguyễn Văn Linh cho biết\nđường Nguyễn Văn Linh, tại Hòa Bình"
    stats = count([text])
    assert stats["rnguyễn văn linh"]["per"] == 2 and stats["rnguyễn văn linh"]["street"] == 1
    assert stats["rnguyễn văn linh"]["say"] == 2
    assert stats["rhòa bình"]["place"] == 1
    forms = "Tỉnh Hòa Bình".split()
    assert list(capital_runs(forms, [_key(f) for f in forms])) == [(1, 3, "place")]
    # the committed table, counted over the shared corpus without the annotated articles
    row = table()["rnguyễn xuân phúc"]
    assert row[KINDS.index("per")] > 10 * row[KINDS.index("place")]


# ---------------------------------------------------------------- agencies: names that run on

def test_a_lower_case_run_between_a_name_and_its_place_belongs_to_the_name():
    e = ents("Tin", "Ban Quản lý khu kinh tế tỉnh Hà Tĩnh và Hiệp hội Doanh nghiệp vừa và nhỏ thành phố "
                    "Hà Nội ký kết.")
    assert e.agencies == ["Ban Quản lý khu kinh tế tỉnh Hà Tĩnh",
                          "Hiệp hội Doanh nghiệp vừa và nhỏ thành phố Hà Nội"]
    # a verb or a preposition in the run: the name ends before it
    assert ents("Tin", "Bệnh viện Chợ Rẫy chuyển về tỉnh Long An ba bệnh nhân.").agencies == ["Bệnh viện Chợ Rẫy"]


def test_numbers_after_a_name_but_not_scores():
    e = ents("Tin", "Bộ Tư lệnh Quân khu 5, Bệnh viện Nhi đồng 1 và Đội Cảnh sát giao thông số 14 phối hợp.")
    assert e.agencies == ["Bộ Tư lệnh Quân khu 5", "Bệnh viện Nhi đồng 1", "Đội Cảnh sát giao thông số 14"]
    assert "CLB Đồng Nai" in ents("Bóng đá", "CLB Nam Định thắng CLB Đồng Nai 2-0.").agencies


def test_the_place_is_written_once_in_the_canonical():
    body = "Sở Công Thương Bắc Giang cho biết. Ông A, Phó Chủ tịch UBND tỉnh Bắc Giang, chỉ đạo."
    assert "Sở Công Thương tỉnh Bắc Giang" in ents("Tin", body).agencies


def test_a_person_after_a_level_is_no_city():
    e = ents("Tin", "Chủ tịch UBND thành phố Nguyễn Đức Chung chỉ đạo. UBND thành phố Hà Nội họp.")
    assert "Ủy ban nhân dân thành phố Nguyễn Đức Chung" not in e.agencies
    assert "Công an phường Lý Thái Tổ" in ents("Tin", "Công an phường Lý Thái Tổ vào cuộc.").agencies


# ---------------------------------------------------------------- agencies: no head word, or a shared one

def test_a_countrys_forces_and_government_in_lower_case():
    e = ents("Thế giới", "Vụ việc chỉ được quân đội Anh tiết lộ; không quân Mỹ và chính quyền Indonesia "
                         "cũng lên tiếng.")
    assert e.agencies == ["Quân đội Anh", "Không quân Mỹ", "Chính quyền Indonesia"]
    assert ents("Mỹ", "Chính quyền Trump phản đối, chính quyền địa phương im lặng.").agencies == []
    assert ents("Mỹ", "Máy bay đáp xuống căn cứ Không quân Andrews.").agencies == []


def test_elliptical_lists_share_the_head_word():
    e = ents("Thế giới", "Binh sĩ của quân đội Anh, Mỹ và Bỉ tham gia.")
    assert e.agencies == ["Quân đội Anh", "Quân đội Mỹ", "Quân đội Bỉ"]
    e = ents("Tin", "Các Bộ: Y tế, Công Thương, Tài chính phối hợp; các bộ Nội vụ, Tư pháp cũng vậy.")
    assert e.agencies == ["Bộ Y tế", "Bộ Công Thương", "Bộ Tài chính", "Bộ Nội vụ", "Bộ Tư pháp"]
    e = ents("Tin", "Cao nhất là các bệnh viện: Nhân dân 115, Nhân dân Gia Định và Đa khoa Hoàn Mỹ Sài Gòn.")
    assert e.agencies == ["Bệnh viện Nhân dân 115", "Bệnh viện Nhân dân Gia Định", "Bệnh viện Đa khoa Hoàn Mỹ Sài Gòn"]


def test_clubs_and_companies_known_by_a_bare_name():
    e = ents("Bóng đá", "Họ thua Sài Gòn FC rồi bị Gangwon FC cầm chân; Stuttgart cũng thua.")
    assert e.agencies == ["Sài Gòn FC", "Gangwon FC", "Stuttgart"]
    assert "HOSE" in ents("Chứng khoán", "Cổ phiếu được niêm yết trên HOSE từ hôm nay.").agencies


def test_in_a_sports_story_a_place_next_to_a_match_word_is_a_side():
    body = ("HLV cho biết cầu thủ đã sẵn sàng cho trận gặp Jordan. Trước đó, bàn thắng muộn giúp "
            "Việt Nam hòa Afghanistan 1-1. Tỷ số này khiến bảng đấu căng thẳng.")
    assert {"Jordan", "Afghanistan"} <= set(ents("Bóng đá", body).agencies)
    # not outside sport, not a region
    assert ents("Ngoại giao", "Bộ trưởng đã gặp Jordan và các nước Trung Đông.").agencies == []
    assert "U22 Đông Nam Á" not in ents("Bóng đá", "Giải U22 Đông Nam Á khởi tranh, U22 Việt Nam thắng.").agencies


def test_glued_words_and_a_full_stop_after_an_acronym():
    e = ents("Tuyển sinh", "Trường Đại học Y dược Cần Thơcông bố điểm chuẩn theo quy chế của Bộ GD-ĐT. "
                           "Phương thức xét tuyển giữ nguyên.")
    assert e.agencies == ["Trường Đại học Y dược Cần Thơ", "Bộ Giáo dục và Đào tạo"]


def test_a_body_named_in_a_credit_counts_when_the_story_names_it_again():
    body = ("Xe tăng tiến vào thành phố. (Ảnh: Bộ Quốc phòng Nga)\n"
            "Bộ Quốc phòng Nga hôm 9/2 công bố đoạn video.")
    assert "Bộ Quốc phòng Nga" in ents("Nga", body).agencies
    assert ents("Nga", "Xe tăng tiến vào thành phố. (Ảnh: Bộ Quốc phòng Nga)").agencies == []


def test_a_known_organisations_name_is_cut_off_a_persons():
    body = ("Đội hình xuất phát Barcelona: J.Garcia, Cancelo, Araujo, Martin, De Jong, Bernal, Olmo, Rashford, "
            "Lewandowski Liverpool - Man City 08.02 Dự đoán tỷ số trận đấu.")
    persons = set(ents("Bóng đá", body).persons)
    assert "Lewandowski" in persons and "Lewandowski Liverpool" not in persons


def test_police_codes_wards_and_a_university_with_its_school():
    e = ents("Tin", "Ông A, Trưởng PC45 Công an tỉnh Tiền Giang, và UBND P.Xuân Hương cho biết.")
    assert e.agencies == ["Phòng Cảnh sát hình sự Công an tỉnh Tiền Giang", "Ủy ban nhân dân phường Xuân Hương"]
    e = ents("Tuyển sinh", "Trường Đại học Ngoại ngữ, Đại học Quốc gia Hà Nội công bố điểm chuẩn.")
    assert e.agencies == ["Trường Đại học Ngoại ngữ Đại học Quốc gia Hà Nội"]
    assert canonical_agency("Phòng Phòng Cảnh sát hình sự Công an tỉnh Bến Tre") == \
        "Phòng Cảnh sát hình sự Công an tỉnh Bến Tre"
    assert canonical_agency("Phòng Phòng chống ma túy") == "Phòng Phòng chống ma túy"


def test_events_products_and_places_named_after_a_body_are_not_bodies():
    body = ("FIFA World Cup sắp khởi tranh. Chiếc Samsung Galaxy mới ra mắt ở trung tâm thành phố Đà Lạt; "
            "thanh tra các Sở vào cuộc. Tây Ban Nha giảm thuế.")
    assert ents("Tin", body).agencies == []
    e = ents("Bóng đá", "HLV cho biết CLB Đồng Nai và Nam Định đều thắng.")
    assert "CLB Đồng Nai" in e.agencies and "CLB Đồng Nai và Nam Định" not in e.agencies


def test_bodies_opened_by_a_weak_head_word():
    e = ents("Thế giới", "Cơ quan Thống kê Canada và Tổ chức Di trú Quốc tế công bố số liệu.")
    assert e.agencies == ["Cơ quan Thống kê Canada", "Tổ chức Di trú Quốc tế"]
    # the verb "tổ chức" and the generic "cơ quan chức năng" are no bodies
    assert ents("Tin", "Tổ chức Lễ hội hoa là dịp vui; cơ quan chức năng vào cuộc.").agencies == []


def test_schools_and_local_bodies_in_lower_case():
    e = ents("Giáo dục", "Phụ huynh chờ trước cổng trường mầm non Hạnh Thông Tây; công an Hà Tĩnh "
                         "và bộ đội biên phòng Quảng Ninh phối hợp.")
    assert e.agencies == ["Trường mầm non Hạnh Thông Tây", "Công an tỉnh Hà Tĩnh", "Bộ đội Biên phòng tỉnh Quảng Ninh"]
    assert ents("Giáo dục", "Trường đại học Anh sơ tán; nhiều trường đại học Mỹ tuyển sinh.").agencies == []


def test_a_counted_list_of_schools_shares_the_kind():
    e = ents("Tuyển sinh", "Học sinh thi vào 4 trường THPT chuyên: Hà Nội - Amsterdam, Nguyễn Huệ, Chu Văn An, Sơn Tây.")
    assert e.agencies == ["Trường THPT chuyên Hà Nội - Amsterdam", "Trường THPT chuyên Nguyễn Huệ",
                          "Trường THPT chuyên Chu Văn An", "Trường THPT chuyên Sơn Tây"]
    assert ents("Tin", "Công ty Vận tải A và Công ty Vận tải B ký hợp đồng; Bệnh viện K tiếp nhận.").agencies == ["Bệnh viện K"]


def test_a_verb_after_a_hospital_and_a_number_word_inside_a_place():
    e = ents("Tin", "Ông được đưa vào Bệnh viện Thanh Nhàn cấp cứu; Khoa Hồi sức cấp cứu Bệnh viện Bạch Mai "
                    "hội chẩn cùng Bệnh viện Hữu nghị Việt Nam - Cu Ba.")
    assert e.agencies == ["Bệnh viện Thanh Nhàn", "Khoa Hồi sức cấp cứu Bệnh viện Bạch Mai",
                          "Bệnh viện Hữu nghị Việt Nam - Cu Ba"]
    # pyvi glued the verb to the name: "Lê_Quý_Đôn_đoạt"
    assert ents("Tin", "Học sinh Trường THPT Lê Quý Đôn đoạt giải.").agencies == ["Trường THPT Lê Quý Đôn"]


def test_a_standing_committee_and_quoc_words_inside_a_name():
    e = ents("Tin", "Thường trực Thành ủy TP Móng Cái họp với Trường đại học Kinh tế Quốc dân; "
                    "Phó Chủ tịch Thường trực HĐND tỉnh Đồng Nai phát biểu.")
    assert e.agencies == ["Thường trực Thành ủy thành phố Móng Cái", "Trường Đại học Kinh tế Quốc dân",
                          "Hội đồng nhân dân tỉnh Đồng Nai"]
    # an acronym glued to a common word
    assert ents("Tin", "Bộ GD-ĐTcho biết kỳ thi diễn ra.").agencies == ["Bộ Giáo dục và Đào tạo"]


def test_a_list_of_schools_with_their_districts_between():
    e = ents("Tuyển sinh", "Đó là các trường trung học cơ sở: Chu Văn An (quận Tây Hồ);Thanh Xuân (quận Thanh "
                           "Xuân);Cầu Giấy, Nghĩa Tân (quận Cầu Giấy).")
    assert e.agencies == ["Trường trung học cơ sở Chu Văn An", "Trường trung học cơ sở Thanh Xuân",
                          "Trường trung học cơ sở Cầu Giấy", "Trường trung học cơ sở Nghĩa Tân"]
    # a school named after its district, but not a university named after a country
    assert ents("Tin", "Ông học Trường trung học cơ sở Cầu Giấy.").agencies == ["Trường trung học cơ sở Cầu Giấy"]
    assert ents("Tin", "Nhiều trường đại học Mỹ tuyển sinh.").agencies == []


def test_a_campaign_is_no_person_and_a_country_is_cut_off_a_name():
    e = ents("Tin", "Tỉnh tổng kết Phong trào Toàn dân bảo vệ an ninh Tổ quốc năm 2022.")
    assert e.persons == []
    from search.entities.extract import _without_org_names
    from search.entities.persons import _Mention
    assert _without_org_names(_Mention("Hàn Quốc Moon Jae-in", True, False, 0, 0)).name == "Moon Jae-in"
    assert _without_org_names(_Mention("Hà Lan", True, True, 0, 0)).name == "Hà Lan"  # a person, maybe
    from search.entities.extract import _mention
    # a sentence opener or a lower-case word the tagger ran on into; names that end so stay
    assert [_mention(t, 0, len(t), 0).name for t in ("Tomic Không", "Nguyễn Thị O. vốn", "Bashar al-Assad",
                                                      "Lê Văn Hội")] == ["Tomic", "Nguyễn Thị O", "Bashar al-Assad",
                                                                         "Lê Văn Hội"]


def test_a_name_inside_a_body_the_rules_read_is_no_person():
    e = ents("Tuyển sinh", "Đó là các trường trung học cơ sở: Chu Văn An (quận Tây Hồ);Thanh Xuân (quận Thanh "
                           "Xuân);Cầu Giấy, Nghĩa Tân (quận Cầu Giấy).")
    assert e.persons == []


def test_age_group_sides_of_known_clubs_and_a_side_before_its_player():
    assert canonical_agency("U23 MU") == "U23 Manchester United" == canonical_agency("U23 Manchester United")
    e = ents("Bóng đá", "U20 Nam Phi 0-2 U20 Italia. Cựu tiền vệ của đội tuyển Đức Dietmar Hamann lên tiếng.")
    assert e.agencies == ["U20 Nam Phi", "U20 Italia", "Đội tuyển Đức"]


def test_a_sub_unit_within_a_larger_one_and_a_unit_number_with_a_dot():
    e = ents("Tin", "Đội CSGT đường bộ số 2 Phòng CSGT Công an TP Hà Nội và Phân viện Khoa học hình sự "
                    "Tổng cục Cảnh sát phối hợp với Công ty cổ phần Sông Đà 1.01.")
    assert e.agencies == ["Đội Cảnh sát giao thông đường bộ số 2 Phòng Cảnh sát giao thông Công an thành phố Hà Nội",
                          "Phân viện Khoa học hình sự Tổng cục Cảnh sát", "Công ty cổ phần Sông Đà 1.01"]
    assert ents("Tin", "Ủy ban Kiểm tra (UBKT) Tỉnh ủy Phú Yên họp; UBKT Tỉnh ủy Gia Lai kết luận.").agencies == [
        "Ủy ban Kiểm tra Tỉnh ủy tỉnh Phú Yên", "Ủy ban Kiểm tra Tỉnh ủy tỉnh Gia Lai"]


def test_investigators_of_a_police_body_and_a_fixed_name_in_lower_case():
    e = ents("Tin", "Theo cơ quan CSĐT Công an tỉnh Đồng Nai và CQĐT Công an tỉnh Đắk Lắk, phát ngôn viên "
                    "điện Kremlin đã lên tiếng; cơ quan chức năng vào cuộc.")
    assert e.agencies == ["Cơ quan Cảnh sát điều tra Công an tỉnh Đồng Nai", "Cơ quan điều tra Công an tỉnh Đắk Lắk",
                          "Điện Kremlin"]
    assert ents("Tin", "Quý ra công an quận Cầu Giấy đầu thú.").agencies == ["Công an quận Cầu Giấy"]  # "ra_công_an"


def test_fire_and_mobile_police_by_their_district_or_parent():
    e = ents("Tin", "Cảnh sát PCCC quận Gò Vấp có mặt; CSGT và CSCĐ Công an tỉnh Lạng Sơn truy đuổi.")
    assert e.agencies == ["Cảnh sát Phòng cháy chữa cháy quận Gò Vấp", "Cảnh sát cơ động Công an tỉnh Lạng Sơn"]
