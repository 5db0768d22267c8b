"""The town's numbers and meeting papers: 実績, outcomes, 社会資源の充足状況, 会議資料.

It reads every other app and nothing reads it, so it sits on top of the dependency order.
"""
