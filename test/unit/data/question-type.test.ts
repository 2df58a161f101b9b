// The question-type classifier behind splits stratified by question type.
import { describe, expect, it } from 'vitest';
import { questionType } from '../../../src/main/data/samples/question-type';

describe('questionType', () => {
  it.each([
    ['How many circles are there?', 'count'],
    ['What colour is the square?', 'colour'],
    ['What is the color of the car?', 'colour'],
    ['Is there a dog?', 'yes/no'],
    ['Are the lights on?', 'yes/no'],
    ['Where is the triangle?', 'where'],
    ['Which shape is largest?', 'which'],
    ['Who is holding the umbrella?', 'who'],
    ['Why is the man smiling?', 'why/how'],
    ['How does it work?', 'why/how'],
    ['Describe the image.', 'describe'],
    ['What is in the picture?', 'describe'],
    ['What shape is in the top-left cell?', 'what'],
    ['<image> How many dogs?', 'count'],
    ['  "Is it raining?"', 'yes/no'],
    ['Name the animal.', 'other'],
    ['', 'other'],
  ])('%j → %s', (question, type) => expect(questionType(question)).toBe(type));
});
