"""The MPEP dashboard Space: every language's progress, read from the Spaces' sync repos."""
