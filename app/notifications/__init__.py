"""In-app notifications for the people who must act next, and their e-mail copies."""
