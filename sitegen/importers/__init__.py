"""Bring a digest in from elsewhere: WordPress (WXR) and Disqus exports, comment threads included.

Each importer parses its export into frozen dataclasses, plans every file it will write, and
writes them all or none (`writing.write_new_files`); what it leaves out, and why, goes in an
`ImportReport`.
"""
