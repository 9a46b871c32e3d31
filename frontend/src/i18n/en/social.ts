// The social media manager: its sections on the agent's page (the AI assistant so far).
export const social = {
  assistant: {
    about:
      "Ask for a post, like “Write a post about our new rye bread”. Each post it suggests has a “Use in New Post” " +
      "button, and you can still change it before you publish.",
    loading: "Loading the assistant…",
    post: "Suggested post {{number}}",
    useInNewPost: "Use in New Post",
    tooLong: "{{chars}} characters: Instagram takes at most {{max}}.",
    tooManyHashtags: "{{tags}} hashtags: Instagram takes at most {{max}}.",
  },
};
