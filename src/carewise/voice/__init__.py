"""The voice of children and care leavers: surveys, review consultations and "you said, we did".

Feedback extracts (``voice.extracts``) are read by the one extract reader and stored as batches
(``voice.storage``); ``voice.views`` turns them into per-pledge shares of children who agree (by
age group and year, through the disclosure module) and the asks tracker. docs/voice.md.
"""
