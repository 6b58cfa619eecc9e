"""spreadsheets"""
