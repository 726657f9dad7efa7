"""Scoring: candidates × a requirement, and a candidate × occupations and job ads.

The stage in the order it runs, one module a step:

1. :mod:`~matcher.scoring.partial_credit`: the skill space (skill URI ↔ column) and the
   sparse skill × skill partial-credit matrix ``P``, built from the taxonomy and the skill
   index, saved and loaded.
2. :mod:`~matcher.scoring.score`: profiles as sparse matrices, and vectorised scoring of many
   candidates against a requirement (a sparse product, no Python loop over candidates), the
   ranking key and the one top-k helper.
3. :mod:`~matcher.scoring.explain`: matched / partial / missing skills, with the stand-ins and
   a rationale a person can read, for the top-k only.
4. :mod:`~matcher.scoring.results`: what a ranking and a job seeker's suggestions return.
5. :mod:`~matcher.scoring.rank`: the entry points that run 2–3 and return 4.

Profiles become sparse skill-weight vectors over the taxonomy's skills (columns in taxonomy
order). A candidate's weight for a skill is its strongest evidence (verified > unverified >
self-declared, scaled by link confidence). A required skill ``r`` is *covered* by

    cov_r = max(direct_r, min(PARTIAL_CAP, Σ_h c_h · P[h, r]))

where ``direct_r`` is the candidate's own weight for ``r`` and ``P[h, r]`` is how far holding
skill ``h`` stands in for skill ``r`` (:mod:`~matcher.scoring.partial_credit`).

The score is ``Σ_r w_r · cov_r / Σ_r w_r`` in [0, 1]. Must-have skills gate: a candidate meets
them only by holding each one (partial credit does not count); those who meet them rank first.

Ranking many candidates is a sparse product ``C @ [I_R | P_R]`` over row blocks and an
``argpartition`` top-k. Explanations are built for the top-k only.
"""
