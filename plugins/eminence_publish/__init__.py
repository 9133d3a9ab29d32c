"""eminence_publish: after the build. Is the built site sound, get it to readers,
and is what it quotes still true.

    sitecheck.py  invoke check-site: links, anchors, Atom feeds, HTML (W3C Nu checker)
    publish.py    invoke publish: rsync or S3, only what changed, pages after their assets
    verify.py     invoke verify-endorsements: each published quote still at its Source

Depends on the build only for where search bundles live; on the pull only for
its fetcher (verify-endorsements fetches the Sources).
"""
