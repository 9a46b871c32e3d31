"""The one chat every chat-shaped kind uses (research now; learning and custom agents next): the user's
message stored before it is sent, the reply's events numbered and relayed to the kind's chat stream, and the
reply stored when it is complete. Nothing here knows which kind it serves: a kind names its conversations."""
