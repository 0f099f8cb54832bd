"""Split packets (PNUM/PNO) reassembly."""

from qingshan.standards import hj212

from .vectors import VECTORS


def part(pno, pnum=2, qn="20160801085857534", factors="a21026-Rtd=1", data_time="20160801085857"):
    seg = f"QN={qn};ST=31;CN=2051;PW=1;MN=M1;Flag=7;PNUM={pnum};PNO={pno};CP=&&DataTime={data_time};{factors}&&"
    return hj212.decode(hj212.frame_segment(seg), strict=True)


def test_any_order_with_new_qn_per_part():
    r = hj212.Reassembler()
    assert r.add(part(2, qn="20160801085857535", factors="a21002-Avg=2"), now=0) is None
    merged = r.add(part(1, qn="20160801085857534", factors="a21026-Avg=1"), now=1)
    assert merged is not None and len(r) == 0
    assert merged.qn == "20160801085857534" and merged.pnum is None and merged.pno is None
    assert merged.flag == 5 and not merged.is_split and merged.ack_requested
    assert list(merged.cp.factors) == ["a21026", "a21002"]


def test_not_split_passes_through_and_groups_separate():
    r = hj212.Reassembler()
    p = hj212.decode(hj212.frame_segment("QN=20160801085857223;ST=31;CN=2011;PW=1;MN=M1;Flag=4;CP=&&&&"))
    assert r.add(p, now=0) is p
    assert r.add(part(1, data_time="20160801080000"), 0) is None
    assert r.add(part(2, data_time="20160801090000"), 0) is None
    assert len(r) == 2


def test_expiry_and_bound():
    r = hj212.Reassembler(timeout=10, max_groups=2)
    r.add(part(1, data_time="20160801080000"), 0)
    r.add(part(1, data_time="20160801090000"), 5)
    r.add(part(1, data_time="20160801100000"), 6)  # evicts the oldest
    assert len(r) == 2
    expired = r.expire(now=16)
    assert [len(g) for g in expired] == [1, 1]
    assert len(r) == 1


def test_reference_split_packets_merge():
    by_id = {v[0]: v for v in VECTORS}
    first = hj212.decode(by_id["E212-5"][1].encode())
    assert first.is_split and first.pnum == 2
    second = hj212.decode(hj212.encode(hj212.Packet(**{**{f: getattr(first, f) for f in ("version", "qn", "st", "cn", "pw", "mn", "flag", "pnum")}, "pno": 2, "cp": hj212.Cp(data_time=first.cp.data_time, data_time_text=first.cp.data_time_text, factors={"a34013": {"Avg": "1"}})})))
    merged = hj212.merge_parts([second, first])
    assert "a34013" in merged.cp.factors and "a00000" in merged.cp.factors


def test_inconsistent_parts_pass_through():
    r = hj212.Reassembler(max_parts=10)
    bad = hj212.decode(hj212.frame_segment("QN=20160801085857223;ST=31;CN=2051;PW=1;MN=M1;Flag=7;PNUM=2;PNO=3;CP=&&&&"))
    assert r.add(bad, 0) is bad
    big = hj212.decode(hj212.frame_segment("QN=20160801085857223;ST=31;CN=2051;PW=1;MN=M1;Flag=7;PNUM=50;PNO=3;CP=&&&&"))
    assert r.add(big, 0) is big and len(r) == 0
