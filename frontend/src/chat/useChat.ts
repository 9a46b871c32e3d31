// A chat page's live conversation: the detail's messages, then the stream's frames on top (ChatStream,
// opened after the detail's largest seq). Kind-neutral: the kind's page gives the socket path.
import { useEffect, useReducer, useRef, useState } from "react";
import type { SocketOptions } from "../realtime/ReconnectingSocket";
import { ChatStream } from "./ChatStream";
import { applyFrame, chatFromMessages, largestSeq, type ChatState } from "./chatState";
import type { ChatFrame, ChatMessage } from "./types";

type Action = { kind: "reset"; messages: readonly ChatMessage[] } | { kind: "frame"; frame: ChatFrame };

function reduce(state: ChatState, action: Action): ChatState {
  return action.kind === "reset" ? chatFromMessages(action.messages) : applyFrame(state, action.frame);
}

export interface LiveChat extends ChatState {
  /** The stream cannot come back (the chat is gone, or the person signed out). */
  lost: boolean;
  /** The stream is reconnecting (frames missed meanwhile arrive when it is back). */
  reconnecting: boolean;
}

/**
 * `path`: the chat's socket path; `initial`: the detail's messages, undefined while they load. The stream
 * opens once they are there and is kept for the path (a refetched detail does not reset what it built).
 */
export function useChat(path: string, initial: readonly ChatMessage[] | undefined, options?: SocketOptions): LiveChat {
  const [state, dispatch] = useReducer(reduce, { messages: [], live: null });
  const [lost, setLost] = useState(false);
  const [reconnecting, setReconnecting] = useState(false);
  const initialRef = useRef(initial);
  initialRef.current = initial;
  const optionsRef = useRef(options);
  const ready = initial !== undefined;

  useEffect(() => {
    const messages = initialRef.current;
    if (!messages) return;
    dispatch({ kind: "reset", messages });
    setLost(false);
    setReconnecting(false);
    const stream = new ChatStream(path, largestSeq(messages), optionsRef.current);
    stream.onFrame((frame) => dispatch({ kind: "frame", frame }));
    stream.onOpen(() => setReconnecting(false));
    stream.onClose((close) => {
      setLost(close.retryInMs === null);
      setReconnecting(close.retryInMs !== null);
    });
    void stream.start();
    return () => stream.stop();
  }, [path, ready]);

  return { ...state, lost, reconnecting };
}
