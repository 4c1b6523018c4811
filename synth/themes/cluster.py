"""Granularity from the data: communities of a nearest-neighbour graph, not a fixed k.

    ThemeClusterer(resolution=5.0, min_size=5, min_partners=3, ...).fit(X, partners) -> labels_, centroids_, threshold_
    .predict(X) -> theme index per row, or -1 where no theme is close enough

Why a graph and not centroids or a density cut (measured on public labelled text, see
`synth.bench.realtext`): on noisy real text the centroids of different topics are all alike
(cosine > 0.9), so merging by centroid similarity collapsed 20 topics into 2; HDBSCAN on UMAP
(`BERTopic()` defaults) left 2-48% of texts as outliers and split a program's notes into
hundreds of micro-clusters; a minimum cluster size of 1% of the corpus hid every issue smaller
than that. Here each statement links to its nearest neighbours, and Leiden finds the
communities that maximise modularity. Two groups of statements become one theme only when their
statements are each other's neighbours more than chance says, which is a property of the
statements themselves, not of two averages; the number of themes follows.

A link's weight is 0.15 of the cosine similarity and 0.85 of a membership relative to each
statement's own neighbourhood (`local_memberships`, the construction UMAP uses): short texts
that share a form ("What is ...?", "Do you ...?") sit in dense regions whose raw cosines
outweigh the topic links of sparser regions, while local memberships alone cut off every
sentence many people wrote with small typos. See `locality` and README for what each measured.

The neighbourhood grows with the corpus (about the square root of its size, within [15, 100]):
small neighbourhoods cut a program's repeated issues into one community per phrasing, and large
ones over a few hundred texts join unrelated topics. A known limit: modularity cuts a corpus
made of only two or three large, uniform groups into several pieces each, and the density
merge does not always rejoin them (seen on synthetic Gaussian blobs of 80; real sets with 6-50
topics were not affected). No UMAP is involved, so nothing is compiled by numba: a fit costs
the same in a fresh process as in a warm one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from synth.errors import ThemesNotFitted

MIN_STATEMENTS = 20  # below this there is nothing to cluster
ANCHOR_MARGIN = 0.1  # cosine by which a swallowed previous theme must be distinct to stay apart
OUTLIER_GAP = 0.15  # cosine below a theme's typical member that makes a member an outlier
DUPLICATE = 0.1  # cosine distance below which two statements are one sentence (up to case, shorthand and typos)


def unit(v: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero)."""
    v = np.asarray(v, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


def nearest_neighbours(vectors: np.ndarray, k: int, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k nearest neighbours of each unit row, itself excluded: (indices, similarities),
    most similar first. A blocked matrix product: exact, and quicker than an approximate index
    up to the ~100k statements a program holds."""
    n = len(vectors)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)

    def block(a: int) -> None:
        s = vectors[a:a + chunk] @ vectors.T
        rows = np.arange(s.shape[0])
        s[rows, rows + a] = -np.inf  # never your own neighbour, even beside an identical text
        part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-top, axis=1, kind="stable")
        idx[a:a + chunk] = np.take_along_axis(part, order, axis=1)
        sim[a:a + chunk] = np.take_along_axis(top, order, axis=1)

    with ThreadPoolExecutor(2) as pool:  # numpy releases the GIL in the product
        list(pool.map(block, range(0, n, chunk)))
    return idx, sim


class ThemeClusterer:
    """Statements -> themes, in the style of a scikit-learn estimator.

    Parameters
    ----------
    resolution : float, default 5.0
        Leiden's modularity resolution: higher gives more, smaller themes. One value for every
        set, chosen on 2026-11-25 by the worst margin over `BERTopic()` across all ten sets of
        `synth.bench.realtext` (none held out any more), with the program sample's purity at
        1,200, 3,200 and 11,000 notes in view: 3.0 missed the review sentences by 0.023 (a set
        of 255 labels of ~13 sentences, which modularity at 3 merges); 5.0 raised NMI on nine of
        ten sets and left the chat openers within Leiden's seed spread (0.597-0.614); 6.0 gave
        no more. The sample at 21k statements was unmoved (71 -> 76 themes, purity 0.717 ->
        0.713). A smaller fixed neighbourhood instead (30) collapsed that sample to 12 themes.
    n_neighbors : int or None, default None
        Neighbours per statement in the graph; None: round(sqrt(n)) within [15, 100].
    min_size : int, default 5
        A theme needs at least this many statements: an absolute floor, so a small new issue
        can still be a theme in a large program.
    min_partners : int, default 3
        ... raised by at least this many different partners: one person repeating themselves
        is not a theme. Without partners (`fit(X)`), each statement counts as its own.
    min_wordings : int, default 3
        ... in at least this many different wordings (see `fit`).
    max_wording_share : float, default 0.5
        ... and not mostly one stock sentence: a community where more than this share of the
        statements are the same wording (up to a typo) is a sentence many people repeat, a
        pleasantry or a template, not an issue corroborated in people's own words.
    max_unthemed : float, default 0.10
        At most this share of statements is left without a theme by a fit.
    merge_density : float, default 0.5
        Two communities become one theme when the links between them are at least this dense,
        relative to the sparser of their insides (1.0: as dense as within). 0.3 collapsed the
        patient-review set of `synth.bench.realtext` into 6 themes; 0.5 did not.
    locality : float, default 0.85
        A link weighs this share of the statement's local membership (`local_memberships`,
        relative to its own neighbourhood) plus the rest of its cosine similarity. Raw cosines
        (0, at resolution 2) let dense regions of texts that share a form outweigh sparser
        topics: chat openers 0.567 NMI, below `BERTopic()`'s 0.60-0.62. Local memberships alone
        (1) split the 21,085-statement sample into one community per sentence many people wrote
        with typos until such near-copies (DUPLICATE) weighed as copies. 0.85 gave that sample
        NMI 0.662 (raw cosines 0.646) with 94% of statements kept in their theme when 10% more
        arrived (0.7: 0.670 and 96%, but a small planted issue of the 1,200-note sample, 20 CRM
        statements, lost its own theme), and the real-text sets the figures in README.
    sharpness : float, default 1.0
        The cosine part of a link weighs cosine similarity to this power.
    anchor_weight : float, default 0.5
        In a refit (`init` given), links between statements of the same previous theme count
        this much more, so statements move only where the new data outweighs what was there
        (temporal smoothness). On the 1,200-note sample, adding 10% more statements kept
        98% of statements in their theme with 0.5, and 93% with 0.
    random_state : int, default 42
        Seeds Leiden; the same inputs and seed give the same themes.

    Attributes (after `fit`)
    ------------------------
    labels_ : ndarray of int, theme index per row (0 is the largest theme), -1 for unthemed
    centroids_ : ndarray (n_themes, dim), unit mean vector of each theme
    threshold_ : float, the cosine similarity to a centroid that admits a statement to a theme
    n_neighbors_ : int, the neighbourhood used
    """

    def __init__(self, *, resolution: float = 5.0, n_neighbors: int | None = None, min_size: int = 5,
                 min_partners: int = 3, min_wordings: int = 3, max_wording_share: float = 0.5,
                 max_unthemed: float = 0.10, merge_density: float = 0.5, locality: float = 0.85,
                 sharpness: float = 1.0, anchor_weight: float = 0.5, random_state: int = 42):
        self.resolution = resolution
        self.n_neighbors = n_neighbors
        self.min_size = min_size
        self.min_partners = min_partners
        self.min_wordings = min_wordings
        self.max_wording_share = max_wording_share
        self.max_unthemed = max_unthemed
        self.merge_density = merge_density
        self.locality = locality
        self.sharpness = sharpness
        self.anchor_weight = anchor_weight
        self.random_state = random_state

    def _check_params(self) -> None:
        checks = [("resolution", self.resolution > 0, "a number above 0"),
                  ("n_neighbors", self.n_neighbors is None or self.n_neighbors >= 2, "None or an integer of 2 or more"),
                  ("min_size", self.min_size >= 2, "an integer of 2 or more"),
                  ("min_partners", self.min_partners >= 1, "an integer of 1 or more"),
                  ("max_unthemed", 0 <= self.max_unthemed < 1, "a share in [0, 1)"),
                  ("max_wording_share", 0 < self.max_wording_share <= 1, "a share in (0, 1]"),
                  ("merge_density", self.merge_density > 0, "a number above 0"),
                  ("locality", 0 <= self.locality <= 1, "a share in [0, 1]")]
        for name, ok, allowed in checks:
            if not ok:
                raise ValueError(f"ThemeClusterer: {name} must be {allowed}; got {getattr(self, name)!r}.")

    def fit(self, X: np.ndarray, partners: Sequence[object] | None = None,
            init: Sequence[int] | None = None, wordings: Sequence[str] | None = None) -> "ThemeClusterer":
        """`partners`: who raised each statement. `init`: a starting theme per row (-1 for
        none), e.g. the previous fit's themes, so that a refit moves statements only where the
        new data says so. `wordings`: each statement's normalised text; a theme needs at least
        `min_wordings` different ones, so a stock phrase many people say ("that's the main one")
        never becomes a theme."""
        self._check_params()
        X = unit(X)
        n = len(X)
        if n < MIN_STATEMENTS:
            raise ThemesNotFitted(f"Fitting themes needs at least {MIN_STATEMENTS} issue statements; there are {n}. "
                                  "Import more notes;")
        partners = list(range(n)) if partners is None else list(partners)
        self._wordings = list(range(n)) if wordings is None else list(wordings)
        k = self.n_neighbors or int(np.clip(round(np.sqrt(n)), 15, 100))
        self.n_neighbors_ = k = min(k, n - 1)
        communities, graph = self._leiden(X, k, init)
        communities = self._merge_alike(communities, graph)
        if init is not None:
            communities = self._keep_distinct_anchors(X, communities, np.asarray(init))
        self.labels_, self.centroids_, self.threshold_ = self._themes(X, communities, partners)
        return self

    def fit_predict(self, X: np.ndarray, partners: Sequence[object] | None = None,
                    init: Sequence[int] | None = None, wordings: Sequence[str] | None = None) -> np.ndarray:
        return self.fit(X, partners, init, wordings).labels_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Nearest theme for each row, -1 where none reaches `threshold_`: a statement that fits
        no theme is never forced into one."""
        labels, _ = assign(unit(X), self.centroids_, self.threshold_)
        return labels

    # ---- the steps --------------------------------------------------------------------------
    def _leiden(self, X: np.ndarray, k: int, init: Sequence[int] | None) -> np.ndarray:
        import igraph as ig

        from scipy import sparse

        idx, sim = nearest_neighbours(X, k)
        n = len(X)
        w = self.locality * local_memberships(sim) + (1 - self.locality) * np.clip(sim, 0.0, None) ** self.sharpness
        # Each statement lists its neighbours; a pair listed from both sides is one link, as
        # strong as either side says, joined as a fuzzy union (a + b - ab).
        rows = np.repeat(np.arange(n), k)
        A = sparse.csr_matrix((w.ravel(), (rows, idx.ravel())), shape=(n, n))
        T = A.T.tocsr()
        W = A + T - A.multiply(T)
        W = sparse.triu(W, k=1).tocoo()
        keep = W.data > 0
        graph = ig.Graph(n=n, edges=np.column_stack([W.row[keep], W.col[keep]]), directed=False)
        # the same links weighed by cosine, for `_merge_alike` (see there)
        S = sparse.csr_matrix((np.clip(sim, 1e-6, None).ravel(), (rows, idx.ravel())), shape=(n, n))
        S = S.maximum(S.T.tocsr()).tocsr()
        graph.es["cosine"] = np.asarray(S[W.row[keep], W.col[keep]]).ravel().astype(float)
        weights = W.data[keep].astype(float)
        start = None
        if init is not None and self.anchor_weight:
            # Temporal smoothness: links inside a previous theme count for more, so a refit moves
            # statements between themes only where the new data outweighs what was there.
            prev = np.asarray(init, dtype=np.int64)
            a, b = prev[W.row[keep]], prev[W.col[keep]]
            weights = np.where((a >= 0) & (a == b), weights * (1.0 + self.anchor_weight), weights)
        graph.es["weight"] = weights
        if init is not None:
            start = np.asarray(init, dtype=np.int64).copy()
            fresh = start < 0
            start[fresh] = start.max(initial=-1) + 1 + np.arange(int(fresh.sum()))
            start = start.tolist()
        ig.set_random_number_generator(random.Random(self.random_state))
        try:
            part = graph.community_leiden(objective_function="modularity", weights="weight",
                                          resolution=self.resolution, n_iterations=-1, initial_membership=start)
        finally:
            ig.set_random_number_generator(random)
        return np.asarray(part.membership, dtype=np.int64), graph

    def _merge_alike(self, communities: np.ndarray, graph) -> np.ndarray:
        """Join communities that are one group of statements cut in two. Modularity at a useful
        resolution also cuts a large, uniform group (one issue said many ways) into pieces; the
        pieces are as densely linked to each other as within themselves, while distinct topics
        are not. The test compares link densities, never centroids, so it cannot collapse noisy
        text whose topic centroids are all alike."""
        from scipy import sparse

        _, communities = np.unique(communities, return_inverse=True)
        edges = np.asarray(graph.get_edgelist())
        if len(edges) == 0:
            return communities
        # Densities of cosine-weighted links: local weights sharpen each statement's few nearest
        # neighbours, so inside one uniform group the pieces Leiden cut look denser within than
        # between; by cosine they are as dense between as within, and distinct topics are not.
        w = np.asarray(graph.es["cosine"])
        n = len(communities)
        A = sparse.coo_matrix((np.r_[w, w], (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]])),
                              shape=(n, n)).tocsr()
        while True:
            m = communities.max() + 1
            if m < 2:
                return communities
            C = sparse.csr_matrix((np.ones(n), (np.arange(n), communities)), shape=(n, m))
            W = (C.T @ A @ C).toarray()
            size = np.bincount(communities, minlength=m).astype(float)
            within = np.diag(W) / np.maximum(size * (size - 1), 1)
            between = W / np.outer(size, size)
            np.fill_diagonal(between, 0)
            ratio = between / np.maximum(np.minimum.outer(within, within), 1e-12)
            a, b = np.unravel_index(np.argmax(ratio), ratio.shape)
            if ratio[a, b] < self.merge_density:
                return communities
            communities = np.where(communities == max(a, b), min(a, b), communities)
            communities = np.where(communities > max(a, b), communities - 1, communities)

    def _keep_distinct_anchors(self, X: np.ndarray, communities: np.ndarray, init: np.ndarray) -> np.ndarray:
        """A previous theme that a refit swallowed whole into a larger community stays a theme of
        its own when it is clearly distinct there: its statements are nearer their own centre
        than the rest's, and the rest nearer theirs, each by ANCHOR_MARGIN on average. A small
        new issue (a provisional theme) beside a large, loosely related one would otherwise
        vanish into it, because a statement's neighbourhood is larger than the whole issue."""
        communities = communities.copy()
        for a in np.unique(init[init >= 0]):
            members = np.flatnonzero(init == a)
            values, counts = np.unique(communities[members], return_counts=True)
            c = values[counts.argmax()]
            group = members[communities[members] == c]
            rest = np.flatnonzero(communities == c)
            rest = rest[~np.isin(rest, group)]
            if len(group) < max(self.min_size, 0.8 * len(members)) or len(rest) < len(group):
                continue
            own, other = unit(X[group].mean(axis=0)), unit(X[rest].mean(axis=0))
            if (X[group] @ own - X[group] @ other).mean() >= ANCHOR_MARGIN and \
                    (X[rest] @ other - X[rest] @ own).mean() >= ANCHOR_MARGIN:
                communities[group] = communities.max() + 1
        return communities

    def _themes(self, X: np.ndarray, communities: np.ndarray,
                partners: list[object]) -> tuple[np.ndarray, np.ndarray, float]:
        """Communities big and corroborated enough become themes; the statements of the others
        join the nearest theme when close enough to it, else stay unthemed."""
        ids = np.unique(communities)
        themes = [c for c in ids if self._admitted(np.flatnonzero(communities == c), partners)]
        if not themes:  # nothing big enough: everything stays unthemed, visibly
            return np.full(len(X), -1), np.zeros((0, X.shape[1]), dtype=np.float32), 1.0
        themes.sort(key=lambda c: (-int((communities == c).sum()), int(c)))
        index = {c: i for i, c in enumerate(themes)}
        labels = np.array([index.get(c, -1) for c in communities.tolist()], dtype=np.int64)
        cents = unit(np.vstack([X[labels == i].mean(axis=0) for i in range(len(themes))]))
        # A member far less like its theme than the theme's typical member (below the median by
        # more than 4 robust deviations, and by at least OUTLIER_GAP) is an outlier the graph
        # attached somewhere: unthemed.
        member = np.flatnonzero(labels >= 0)
        own = np.einsum("ij,ij->i", X[member], cents[labels[member]])
        for t in range(len(themes)):
            sims_t = own[labels[member] == t]
            median = np.median(sims_t)
            spread = 1.4826 * np.median(np.abs(sims_t - median))
            labels[member[(labels[member] == t) & (own < median - max(4 * spread, OUTLIER_GAP))]] = -1
        kept = labels[member] >= 0
        # The admission cut: the similarity that all but the least typical 5% of members reach.
        cut = float(np.quantile(own[kept], 0.05))
        left = np.flatnonzero(labels < 0)
        if len(left):
            best, sims = assign(X[left], cents, -np.inf)
            # Never more than `max_unthemed` left over: lower the cut for the closest ones if needed.
            allowed = int(self.max_unthemed * len(X))
            need = max(0, len(left) - allowed)
            take = sims >= cut
            if take.sum() < need:
                take = sims >= np.sort(sims)[::-1][need - 1]
            labels[left[take]] = best[take]
            cents = unit(np.vstack([X[labels == i].mean(axis=0) for i in range(len(themes))]))
            cut = min(cut, float(sims[take].min())) if take.any() else cut
        return labels, cents, cut

    def _admitted(self, members: np.ndarray, partners: list[object]) -> bool:
        return (len(members) >= self.min_size and len({partners[i] for i in members}) >= self.min_partners
                and len({self._wordings[i] for i in members}) >= self.min_wordings
                and _stock_share([self._wordings[i] for i in members]) <= self.max_wording_share)


def _stock_share(wordings: list) -> float:
    """Share of the statements that are the most common wording, or it with a typo or two."""
    from collections import Counter
    from difflib import SequenceMatcher

    top, _ = Counter(wordings).most_common(1)[0]
    if not isinstance(top, str):  # no wordings given: every statement counts as its own
        return 1 / len(wordings)
    same = SequenceMatcher(autojunk=False)
    same.set_seq2(top)

    def alike(w: str) -> bool:
        if w == top:
            return True
        same.set_seq1(w)
        return same.real_quick_ratio() >= 0.9 and same.quick_ratio() >= 0.9 and same.ratio() >= 0.9

    return sum(alike(w) for w in wordings) / len(wordings)


def local_memberships(sim: np.ndarray, iterations: int = 64) -> np.ndarray:
    """Each statement's links to its neighbours (cosine similarities, most similar first) as
    memberships in [0, 1] relative to its own neighbourhood, as UMAP builds its graph: the
    nearest neighbour weighs 1, and the others decay at a rate chosen per statement so that
    the memberships sum to log2(k). A statement in a dense region and one in a sparse region
    then link with the same total strength; raw cosines let dense regions (texts that share
    a form, such as short questions) outweigh the topics a sparse region holds."""
    d = 1.0 - np.asarray(sim, dtype=np.float64)
    same = d < DUPLICATE
    # the nearest neighbour that is not the same sentence again (up to typos and shorthand): a
    # sentence many people wrote would otherwise give all its weight to its copies and none to
    # its topic. Copies weigh 1 and do not count towards log2(k).
    d_near = np.where(same, np.inf, d).min(axis=1, keepdims=True)
    d_near = np.where(np.isinf(d_near), 0.0, d_near)
    gap = np.where(same, 0.0, np.maximum(d - d_near, 0.0))
    target = np.log2(d.shape[1])
    lo, hi = np.zeros((len(d), 1)), np.full((len(d), 1), np.inf)
    scale = np.ones((len(d), 1))
    for _ in range(iterations):  # bisection on every row at once
        above = np.where(same, 0.0, np.exp(-gap / scale)).sum(axis=1, keepdims=True) > target
        hi = np.where(above, scale, hi)
        lo = np.where(above, lo, scale)
        scale = np.where(np.isinf(hi), scale * 2, (lo + hi) / 2)
    return np.exp(-gap / np.maximum(scale, 1e-12))


def assign(X: np.ndarray, centroids: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(nearest theme index or -1 below `threshold`, similarity to it) for each unit row."""
    if len(X) == 0 or len(centroids) == 0:
        return np.full(len(X), -1), np.zeros(len(X), dtype=np.float32)
    sims = X @ centroids.T
    best = sims.argmax(axis=1)
    top = sims[np.arange(len(X)), best]
    return np.where(top >= threshold, best, -1), top.astype(np.float32)
