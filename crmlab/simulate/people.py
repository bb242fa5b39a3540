"""Names, companies, places and phone numbers from Faker, drawn in bulk from small pools.

Faker is slow per call (tens of microseconds), so each pool is filled once with a few thousand
values from a seeded Faker and customers are sampled from it with numpy: the cost does not grow with
the number of customers, and the same seed always gives the same pools.
"""
from __future__ import annotations

import numpy as np
from faker import Faker



class People:
    """Pools of fake personal data for one locale and seed."""

    def __init__(self, locale: str, seed: int):
        self.locale = locale
        fake = Faker(locale)
        fake.seed_instance(seed)
        self._fake = fake
        self._rng = np.random.default_rng([seed, 0xFA4E])
        self.zh = locale == "zh_CN"
        # full names are composed from family- and given-name pools: 200 × 300 combinations
        last = [fake.last_name() for _ in range(200)]
        first = [fake.first_name() for _ in range(300)]
        self.pool_last, self.pool_first = last, first
        self.pool_companies = list(dict.fromkeys(fake.company() for _ in range(600)))
        if self.zh:
            places = [(fake.province(), fake.city()) for _ in range(200)]
        else:
            places = [(fake.state(), fake.city()) for _ in range(200)]
        self.pool_places = places
        self.pool_streets = [fake.street_address() for _ in range(400)]
        self.pool_jobs = list(dict.fromkeys(fake.job() for _ in range(300)))[:200]
        self.pool_words = [fake.word() for _ in range(200)]
        self.pool_sentences = [fake.sentence(nb_words=8) for _ in range(200)]
        self.pool_domains = ["example.com", "example.cn", "mail.example.org", "shop.example.net"]

    # -- sampling (numpy; never one Faker call per row) ----------------------------------------
    def _pick(self, pool, n, rng):
        idx = rng.integers(0, len(pool), size=n)
        arr = np.asarray(pool, dtype=object)
        return arr[idx]

    def names(self, n: int, rng: np.random.Generator) -> np.ndarray:
        last = self._pick(self.pool_last, n, rng).astype(str)
        first = self._pick(self.pool_first, n, rng).astype(str)
        if self.zh:
            return np.char.add(last, first).astype(object)
        return np.char.add(np.char.add(first, " "), last).astype(object)

    def companies(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._pick(self.pool_companies, n, rng)

    def places(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        idx = rng.integers(0, len(self.pool_places), size=n)
        prov = np.asarray([p for p, _ in self.pool_places], dtype=object)[idx]
        city = np.asarray([c for _, c in self.pool_places], dtype=object)[idx]
        return prov, city

    def addresses(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._pick(self.pool_streets, n, rng)

    def jobs(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._pick(self.pool_jobs, n, rng)

    def sentences(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self._pick(self.pool_sentences, n, rng)

    def phones(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Mobile numbers: 1[3-9]xxxxxxxxx (zh_CN) or xxx-xxx-xxxx (en_US), built from integers."""
        if self.zh:
            nums = rng.integers(13_000_000_000, 19_999_999_999, size=n, dtype=np.int64)
            return nums.astype(str).astype(object)
        nums = rng.integers(2_010_000_000, 9_899_999_999, size=n, dtype=np.int64).astype(str)
        a = nums.astype("S10").view("S1").reshape(-1, 10)
        out = np.full((n, 12), b"-", dtype="S1")
        out[:, 0:3], out[:, 4:7], out[:, 8:12] = a[:, 0:3], a[:, 3:6], a[:, 6:10]
        return out.view("S12").ravel().astype("U12").astype(object)

    def emails(self, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One unique address per customer code (the code makes it unique)."""
        words = self._pick([w.lower() for w in self._ascii_words()], len(codes), rng)
        doms = self._pick(self.pool_domains, len(codes), rng)
        local = np.char.add(np.char.add(words.astype(str), "."), np.char.lower(np.asarray(codes, dtype=str)))
        return np.char.add(np.char.add(local, "@"), doms.astype(str)).astype(object)

    def _ascii_words(self) -> list[str]:
        words = [w for w in self.pool_words if w.isascii() and w.isalpha()]
        return words or ["user", "shop", "buyer", "client", "member"]
