"""Tests of the person / agency extractor (search/entities.py)."""
from __future__ import annotations

from search.entities import Entities, canonical_agency, extract_entities

SEED_BODY = (
    "(LĐ online) - Ngày 26/12, Công an tỉnh Lâm Đồng cho biết đã bắt Phạm S. (SN 1980, trú tại "
    "xã Lộc An, huyện Bảo Lâm) để điều tra hành vi giết người.\n"
    "Theo Đại tá Nguyễn Quang Thống, Phó Giám đốc Công an tỉnh, ngay sau khi nhận tin báo, "
    "Công an tỉnh đã phối hợp với UBND tỉnh Lâm Đồng, Ủy ban MTTQ Việt Nam tỉnh truy bắt đối tượng. "
    "Ông Thống cho biết Bộ Công an đã gửi thư khen.\n"
    "THỤY TRANG"
)


def test_seed_style_article():
    e = extract_entities("Bắt nghi phạm giết người ở Bảo Lâm", SEED_BODY, author="THỤY TRANG")
    assert isinstance(e, Entities)
    assert e.persons == ["Phạm S", "Nguyễn Quang Thống"]
    for a in ("Bộ Công an", "Ủy ban nhân dân tỉnh Lâm Đồng", "Công an tỉnh Lâm Đồng",
              "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lâm Đồng"):
        assert a in e.agencies
    assert "Thụy Trang" not in e.persons and "THỤY TRANG" not in e.persons


def test_canonical_agency_surface_forms():
    assert canonical_agency("UBND tỉnh Lâm Đồng") == "Ủy ban nhân dân tỉnh Lâm Đồng"
