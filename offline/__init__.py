"""Offline tooling: runs the real program under the Pulumi SDK's mock engine and moto.

The program never imports this package; this package imports the program.
"""
