"""The panel's papers for a frozen agenda: each item's papers page, the papers pack PDF per
member, the chair's private notes per item, and guests invited to one item."""
