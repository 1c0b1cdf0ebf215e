"""Procedure search relevance: does the first answer (or one of the first three) mean what the
citizen meant?

Queries are written the way people type them at a kiosk (without diacritics, colloquial, one
wrong letter, upper case) over the fields a commune office handles; each names the procedure(s)
a clerk would accept. The catalogue is the real one (``../shared/data/procedures.json`` when
present, else the copy bundled with the hub), searched as a commune office ranks it.
Prints top-1, top-3 and mean reciprocal rank (targets: top-3 >= 90 %, top-1 >= 70 %), and the
queries that missed. Then the measurement behind the choice of typo lookup: rapidfuzz's edit
distance over the catalogue's words against SQLite FTS5 with a trigram tokenizer.
Run: ``.venv/bin/python bench/bench_search_relevance.py``.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import db
from hub.catalogue.procedures import Catalogue
from hub.catalogue.text import fold
from hub.upstream.fileimport import import_records
from hub.upstream.sim_data import bundled_procedures

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "procedures.json"

# (field, query as typed, codes a clerk would accept)
QUERIES: list[tuple[str, str, list[str]]] = [
    ("hộ tịch", "khai sinh", ["1.001193"]),
    ("hộ tịch", "dang ky khai sinh", ["1.001193"]),
    ("hộ tịch", "lam giay khai sinh cho con", ["1.001193"]),
    ("hộ tịch", "khai sihn", ["1.001193"]),
    ("hộ tịch", "khai tu", ["1.000656"]),
    ("hộ tịch", "ĐĂNG KÝ KHAI TỬ", ["1.000656"]),
    ("hộ tịch", "bao tu", ["1.000656"]),
    ("hộ tịch", "KẾT HÔN", ["1.000894"]),
    ("hộ tịch", "dang ky ket hon", ["1.000894"]),
    ("hộ tịch", "ket hon voi nguoi nuoc ngoai", ["2.000806"]),
    ("hộ tịch", "xac nhan tinh trang hon nhan", ["1.004873"]),
    ("hộ tịch", "xac nhan tinh trang hon nhaan", ["1.004873"]),
    ("hộ tịch", "giay xac nhan doc than", ["1.004873"]),
    ("hộ tịch", "trich luc khai sinh", ["2.000635"]),
    ("hộ tịch", "ban sao giay khai sinh", ["2.000635"]),
    ("hộ tịch", "cai chinh ho tich", ["1.004859"]),
    ("hộ tịch", "nhan cha con", ["1.001022"]),
    ("hộ tịch", "dang ky giam ho", ["1.004837"]),
    ("hộ tịch", "dang ky lai khai sinh", ["1.004884"]),
    ("hộ tịch", "ly hon", ["2.000554"]),
    ("hộ tịch", "xin con nuoi", ["2.001263"]),
    ("chứng thực", "chung thuc ban sao", ["2.000815"]),
    ("chứng thực", "sao y ban chinh", ["2.000815"]),
    ("chứng thực", "photo cong chung", ["2.000815"]),
    ("chứng thực", "chung thuc chu ky", ["2.000884"]),
    ("chứng thực", "chung thuc di chuc", ["2.001019"]),
    ("chứng thực", "hop dong mua ban nha dat", ["2.001035"]),
    ("chứng thực", "chia thua ke", ["2.001406"]),
    ("chứng thực", "tu choi nhan di san", ["2.001016"]),
    ("chứng thực", "CHỨNG THỰC CHỮ KÝ NGƯỜI DỊCH", ["2.000992", "2.001008"]),
    ("đất đai", "so do", ["1.013978", "1.012783"]),
    ("đất đai", "lam so do lan dau", ["1.013978"]),
    ("đất đai", "mat so do", ["1.012786"]),
    ("đất đai", "cap doi so do", ["1.012783"]),
    ("đất đai", "tach thua", ["1.012784"]),
    ("đất đai", "tach so", ["1.012784"]),
    ("đất đai", "chuyen muc dich su dung dat", ["1.013949", "1.013823", "1.013992"]),
    ("đất đai", "len tho cu", ["1.013949", "1.013823", "1.013992"]),
    ("đất đai", "tranh chap dat dai", ["1.012812", "1.013967"]),
    ("đất đai", "hoa giai tranh chap dat", ["1.012812"]),
    ("đất đai", "sang ten so do", ["1.012787"]),
    ("đất đai", "dinh chinh giay chung nhan", ["1.012796", "1.012790"]),
    ("xây dựng", "giay phep xay dung", ["1.013225"]),
    ("xây dựng", "xin phep xay nha", ["1.013225"]),
    ("xây dựng", "GIẤY PHÉP XÂY DỰNG", ["1.013225"]),
    ("xây dựng", "giay phep xay dunh", ["1.013225"]),
    ("xây dựng", "giay phep xay dung sua chua", ["1.013229"]),
    ("xây dựng", "gia han giay phep xay dung", ["1.013227"]),
    ("xây dựng", "cap lai giay phep xay dung", ["1.013228"]),
    ("kinh doanh", "dang ky ho kinh doanh", ["1.001612"]),
    ("kinh doanh", "giay phep kinh doanh", ["1.001612"]),
    ("kinh doanh", "mo quan an", ["1.001612"]),
    ("kinh doanh", "tam ngung kinh doanh", ["1.001570", "2.002029"]),
    ("kinh doanh", "cham dut ho kinh doanh", ["1.001266"]),
    ("kinh doanh", "thanh lap cong ty", ["2.001583", "2.001199", "2.002043", "2.001610"]),
    ("kinh doanh", "thay doi noi dung ho kinh doanh", ["2.000720"]),
    ("cư trú", "dang ky thuong tru", ["1.004222"]),
    ("cư trú", "nhap ho khau", ["1.004222"]),
    ("cư trú", "dang ky tam tru", ["1.004194"]),
    ("cư trú", "dang ky tam truu", ["1.004194"]),
    ("cư trú", "khai bao tam vang", ["1.003677"]),
    ("cư trú", "xac nhan cu tru", ["1.010041"]),
    ("cư trú", "tach ho", ["1.010038"]),
    ("cư trú", "gia han tam tru", ["1.002755"]),
    ("căn cước", "lam can cuoc", ["1.014061", "1.014062", "1.014063"]),
    ("căn cước", "cccd", ["1.014061", "1.014063", "1.014064"]),
    ("căn cước", "mat can cuoc", ["1.014064"]),
    ("căn cước", "doi cccd", ["1.014063"]),
    ("căn cước", "cap lai the can cuoc", ["1.014064"]),
    ("căn cước", "can cuoc cho tre duoi 14 tuoi", ["1.014062"]),
    ("căn cước", "lam ho chieu", ["1.001456"]),
    ("bảo trợ xã hội", "ho ngheo", ["1.011607", "1.011606"]),
    ("bảo trợ xã hội", "cong nhan ho can ngheo", ["1.011607", "1.011606"]),
    ("bảo trợ xã hội", "nguoi thu nhap thap", ["3.000412"]),
    ("bảo trợ xã hội", "cai nghien ma tuy", ["3.000527"]),
    ("bảo trợ xã hội", "the bhyt", ["2.000639", "1.001294", "1.002438"]),
    ("lao động", "che do thai san", ["2.000693"]),
    ("lao động", "nghi de", ["2.000693"]),
    ("lao động", "rut bhxh mot lan", ["1.001613"]),
    ("lao động", "huong luong huu", ["2.000605"]),
    ("lao động", "tai nan lao dong", ["1.001632", "1.001521", "1.001643"]),
    ("lao động", "nghi om", ["1.001667"]),
    ("lao động", "CHE DO TU TUAT", ["2.000821"]),
    # Written after the ranking and the synonyms were tuned on the queries above, and kept as
    # they first scored (all twenty first), so the figures are not only those of tuned queries.
    ("hộ tịch", "dang ky khai sinh luu dong", ["1.003583"]),
    ("hộ tịch", "giam ho", ["1.004837"]),
    ("hộ tịch", "xac nhan thong tin ho tich", ["2.002516"]),
    ("hộ tịch", "DANG KY NHAN CHA ME CON", ["1.001022"]),
    ("chứng thực", "chung thuc van ban phan chia di san", ["2.001406"]),
    ("chứng thực", "sua loi sai sot hop dong", ["2.000927"]),
    ("đất đai", "hoa giai dat", ["1.012812"]),
    ("đất đai", "tach thua dat", ["1.012784"]),
    ("xây dựng", "gia han giay phep xay dung nha", ["1.013227"]),
    ("xây dựng", "giay phep di doi cong trinh", ["1.013232"]),
    ("kinh doanh", "ho kinh doanh thay doi", ["2.000720"]),
    ("cư trú", "xoa dang ky tam tru", ["1.010028"]),
    ("cư trú", "thong bao luu tru", ["2.001159"]),
    ("cư trú", "khai bao tam tru nguoi nuoc ngoai", ["1.000253"]),
    ("căn cước", "cap doi the can cuoc", ["1.014063"]),
    ("căn cước", "the can cuoc cho nguoi duoi 14 tuoi", ["1.014062"]),
    ("bảo trợ xã hội", "ho can ngheo", ["1.011607", "1.011606"]),
    ("lao động", "om dau", ["1.001667"]),
    ("lao động", "bhxh 1 lan", ["1.001613"]),
    ("lao động", "luong huu", ["2.000605"]),
]


def catalogue_records() -> tuple[str, list[dict]]:
    """The real catalogue: the shared copy when present, else the one bundled with the hub."""
    if SHARED.exists():
        return str(SHARED), json.loads(SHARED.read_text(encoding="utf-8"))
    return "hub/upstream/data/procedures.json.gz", bundled_procedures()


def typo_lookup(records: list[dict], count: int = 300) -> None:
    """Find the word meant by one-letter typos: rapidfuzz (what the hub uses) or FTS5 trigram."""
    words = {w for p in records for w in fold(f"{p['name']} {p['field']}").split()}
    vocabulary = sorted(words)
    rng = random.Random(5)
    typos = []
    for word in rng.sample([w for w in vocabulary if len(w) >= 4], count):
        i = rng.randrange(len(word))
        letter = rng.choice([c for c in "abcdeghiklmnopqrstuvxy" if c != word[i]])
        typos.append((word[:i] + letter + word[i + 1 :], word))
    started, found = time.perf_counter(), 0
    for typo, word in typos:
        near = extract(typo, vocabulary, scorer=OSA.distance, score_cutoff=1, limit=None)
        found += word in {w for w, _, _ in near}
    fuzzy_ms = 1000 * (time.perf_counter() - started) / count
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE words USING fts5 (w, tokenize = 'trigram')")
    conn.executemany("INSERT INTO words (w) VALUES (?)", [(w,) for w in vocabulary])
    started, found_fts = time.perf_counter(), 0
    for typo, word in typos:
        # A trigram index finds substrings: OR the typo's trigrams, then keep what is near.
        grams = " OR ".join(f'"{typo[i : i + 3]}"' for i in range(len(typo) - 2))
        rows = conn.execute(
            "SELECT w FROM words WHERE words MATCH ? ORDER BY rank LIMIT 50", (grams,)
        ).fetchall()
        found_fts += word in {r[0] for r in rows if OSA.distance(typo, r[0]) <= 1}
    fts_ms = 1000 * (time.perf_counter() - started) / count
    conn.close()
    print(f"\n== typo lookup: {count} one-letter typos over {len(vocabulary)} words, time per typo")
    print(f"rapidfuzz edit distance: finds the word {100 * found / count:.1f} %, {fuzzy_ms:.3f} ms")
    print(
        f"SQLite FTS5 trigram:     finds the word {100 * found_fts / count:.1f} %, {fts_ms:.3f} ms"
    )


def main() -> int:
    source, records = catalogue_records()
    with tempfile.TemporaryDirectory() as tmp:
        store = db.Store(Path(tmp) / "hub.sqlite3")
        db.migrate(store.conn())
        stored, refused = import_records("procedures", records, store)
        catalogue = Catalogue(store)
        catalogue.prepare()
        known = {row[0] for row in store.conn().execute("SELECT code FROM procedures")}
        wrong = [(q, c) for _, q, codes in QUERIES for c in codes if c not in known]
        assert not wrong, f"accepted codes missing from the catalogue: {wrong}"
        top1 = top3 = 0
        reciprocal = 0.0
        misses = []
        timings = []
        for field, query, accepted in QUERIES:
            started = time.perf_counter()
            _, rows = catalogue.search(query, limit=10)
            timings.append(time.perf_counter() - started)
            codes = [row["code"] for row in rows]
            rank = next((i + 1 for i, code in enumerate(codes) if code in accepted), None)
            top1 += rank == 1
            top3 += rank is not None and rank <= 3
            reciprocal += 1 / rank if rank else 0.0
            if rank != 1:
                first = rows[0]["name"][:70] if rows else "(nothing)"
                misses.append(f"  [{field}] {query!r}: rank {rank or '>10'}; first: {first}")
        store.close()
    n = len(QUERIES)
    fields = len({field for field, _, _ in QUERIES})
    timings.sort()
    print(f"== procedure search relevance: {n} queries over {fields} fields")
    print(f"catalogue: {stored} procedures from {source} ({len(refused)} refused)")
    print(f"top-1: {100 * top1 / n:.1f} %  (target >= 70 %)")
    print(f"top-3: {100 * top3 / n:.1f} %  (target >= 90 %)")
    print(f"MRR:   {reciprocal / n:.3f}")
    print(f"first-time search p50 {1000 * timings[n // 2]:.2f} ms, max {1000 * timings[-1]:.2f} ms")
    if misses:
        print("not first:")
        print("\n".join(misses))
    typo_lookup(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
