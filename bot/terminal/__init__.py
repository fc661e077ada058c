"""The terminal chat: line input and the chat loop over the shared commands."""
