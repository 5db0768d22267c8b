"""Writes that have rules: each service is a transactional function with keyword-only arguments.

Commands, admin views and tasks call these and stay thin (DESIGN.md, STYLE.md).
"""
