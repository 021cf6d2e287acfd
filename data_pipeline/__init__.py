"""Files → warehouse → answers: the data side of the 五大工程 dashboard."""
